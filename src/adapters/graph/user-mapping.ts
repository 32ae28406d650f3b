import type { ManagedField } from '../../config/settings.js';
import type { ObservedUser } from '../../observe/model.js';

/** Every Entra ID property Roster can manage; all are Graph user property names. */
export const MANAGED_FIELDS: readonly ManagedField[] = [
  'givenName',
  'surname',
  'displayName',
  'jobTitle',
  'department',
  'officeLocation',
  'mobilePhone',
  'businessPhones',
  'companyName',
  'employeeId',
  'streetAddress',
  'city',
  'postalCode',
  'country',
];

/** The `$select` of every user read: identity, match keys, sync state, managed fields. */
export const USER_SELECT = [
  'id',
  'userPrincipalName',
  'mail',
  'proxyAddresses',
  'onPremisesSyncEnabled',
  ...MANAGED_FIELDS,
].join(',');

/** A Graph user object as returned for `USER_SELECT`. */
export type GraphUser = Record<string, unknown> & { id: string };

export function toObservedUser(raw: GraphUser): ObservedUser {
  const fields: ObservedUser['fields'] = {};
  for (const f of MANAGED_FIELDS) {
    const v = raw[f];
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
