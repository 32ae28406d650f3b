import {
  clearingValue,
  FIELD_CATALOG,
  MANAGED_FIELDS,
  type ManagedField,
} from '../../config/field-catalog.js';
import type { ObservedUser } from '../../observe/model.js';
import type { UserPatch } from '../../ports/directory.js';

/** The `$select` of every user read: identity, match keys, sync state, managed fields. */
export const USER_SELECT = [
  'id',
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'onPremisesSyncEnabled',
  ...MANAGED_FIELDS.map((f) => FIELD_CATALOG[f].graph),
].join(',');

/** A Graph user object as returned for `USER_SELECT`. */
export type GraphUser = Record<string, unknown> & { id: string };

export function toObservedUser(raw: GraphUser): ObservedUser {
  const fields: ObservedUser['fields'] = {};
  for (const f of MANAGED_FIELDS) {
    const v = raw[FIELD_CATALOG[f].graph];
    if (v === undefined) continue;
    if (Array.isArray(v)) fields[f] = v.filter((x): x is string => typeof x === 'string');
    else fields[f] = typeof v === 'string' ? v : null;
  }
  return {
    id: raw.id,
    userPrincipalName: typeof raw.userPrincipalName === 'string' ? raw.userPrincipalName : '',
    mail: typeof raw.mail === 'string' ? raw.mail : null,
    proxyAddresses: Array.isArray(raw.proxyAddresses)
      ? raw.proxyAddresses.filter((x): x is string => typeof x === 'string')
      : [],
    onPremisesSyncEnabled: raw.onPremisesSyncEnabled === true,
    fields,
  };
}

/**
 * A PATCH body in Graph's terms: `null` ("clear") becomes the value the catalog says clears the
 * property — `[]` for `businessPhones`, the only sourced form (docs/microsoft-365.md#graph-users-clear).
 */
export function toGraphPatch(body: UserPatch['body']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(body) as [ManagedField, string | string[] | null][]) {
    // A field Entra cannot clear goes out as `null` all the same: Graph's refusal then says why.
    out[FIELD_CATALOG[field].graph] = value === null ? (clearingValue(field) ?? null) : value;
  }
  return out;
}
