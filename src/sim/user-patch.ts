import type { SimState, SimUser } from './types.js';
import {
  USER_PROPERTY_MAX_LENGTH,
  USER_PROPERTY_TYPES,
  isUserProperty,
  type UserPropertyName,
} from './user-properties.js';

/** How a patch is applied. */
export interface UserPatchOptions {
  /**
   * A change made outside Roster (an admin in the portal, HR sync), injected by the inspection
   * endpoint: Graph's validation is skipped, no write is counted, but delta still sees it.
   */
  outOfBand?: boolean;
}

/** Outcome of `applyUserPatch`: the properties that actually changed, or Graph's refusal. */
export type UserPatchResult =
  { ok: true; changed: UserPropertyName[] } | { ok: false; status: number; code: string; message: string };

/** Read-only through Graph (proxyAddresses is maintained by Exchange and by `mail` changes). */
const READ_ONLY: readonly UserPropertyName[] = ['id', 'proxyAddresses', 'onPremisesSyncEnabled'];
const NOT_NULLABLE: readonly UserPropertyName[] = ['displayName', 'userPrincipalName', 'accountEnabled'];
const PHONES: readonly UserPropertyName[] = ['mobilePhone', 'businessPhones'];

function refuse(status: number, code: string, message: string): UserPatchResult {
  return { ok: false, status, code, message };
}

function invalid(prop: string): UserPatchResult {
  return refuse(
    400,
    'Request_BadRequest',
    `Invalid value specified for property '${prop}' of resource 'User'.`,
  );
}

/**
 * `null` for a string collection (`businessPhones`) is refused. No Graph source settles it
 * (docs/microsoft-365.md#graph-users-clear: `[]` is the form that is observed to clear), but OData,
 * the protocol Graph speaks, says a collection-valued property always exists and may only be
 * empty: its `Nullable` facet applies to the members, not to the collection
 * (https://docs.oasis-open.org/odata/odata-csdl-xml/v4.01/odata-csdl-xml-v4.01.html#sec_Nullable).
 */
function typeMatches(prop: UserPropertyName, value: unknown): boolean {
  const type = USER_PROPERTY_TYPES[prop];
  if (value === null) return type !== 'string[]';
  if (type === 'string[]') return Array.isArray(value) && value.every((v) => typeof v === 'string');
  return typeof value === type;
}

function verifiedDomain(state: SimState, address: string): boolean {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  return [state.tenantDomain, ...state.domains].some((d) => d.toLowerCase() === domain);
}

/** Per-property rules of PATCH /users/{id}: type, never `""`, length, format. */
function validateValue(state: SimState, prop: UserPropertyName, value: unknown): boolean {
  if (!typeMatches(prop, value)) return false;
  if (value === null) return !NOT_NULLABLE.includes(prop);
  if (prop === 'businessPhones') {
    const phones = value as string[];
    return phones.length <= 1 && phones.every((p) => p.trim() !== '' && p.length <= 64);
  }
  if (typeof value !== 'string') return true;
  if (value.trim() === '') return false;
  const max = USER_PROPERTY_MAX_LENGTH[prop];
  if (max !== undefined && value.length > max) return false;
  if (prop === 'mail' || prop === 'userPrincipalName') {
    // Graph refuses accented characters in mail and UPN, and domains the tenant has not verified.
    if (!/^[\x21-\x7e]+@[A-Za-z0-9.-]+$/.test(value) || !verifiedDomain(state, value)) return false;
    if (prop === 'userPrincipalName' && value.indexOf('@') > 64) return false;
  }
  if (prop === 'preferredLanguage') return /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/i.test(value);
  return true;
}

/**
 * Validates a Graph PATCH body against the user the way Entra does and, when it passes, applies
 * it: counts the write and records one `SimChange` with the properties whose value changed.
 * https://learn.microsoft.com/graph/api/user-update
 */
export function applyUserPatch(
  state: SimState,
  userId: string,
  body: unknown,
  opts: UserPatchOptions = {},
): UserPatchResult {
  const user = state.users.get(userId);
  if (!user) {
    return refuse(
      404,
      'Request_ResourceNotFound',
      `Resource '${userId}' does not exist or one of its queried reference-property objects are not present.`,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return refuse(400, 'Request_BadRequest', 'The request body must be a JSON object.');
  }
  const entries = Object.entries(body);
  for (const [prop, value] of entries) {
    if (!isUserProperty(prop)) {
      return refuse(
        400,
        'Request_BadRequest',
        `Property '${prop}' does not exist as a declared property or extension property.`,
      );
    }
    if (opts.outOfBand) {
      if (prop === 'id' || !typeMatches(prop, value)) return invalid(prop);
      continue;
    }
    if (READ_ONLY.includes(prop)) {
      return refuse(400, 'Request_BadRequest', `Property '${prop}' is read-only and cannot be set.`);
    }
    if (!validateValue(state, prop, value)) return invalid(prop);
  }
  if (!opts.outOfBand) {
    const props = entries.map(([p]) => p as UserPropertyName);
    if (user.onPremisesSyncEnabled === true && props.length > 0) {
      return refuse(
        400,
        'Request_BadRequest',
        'Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.',
      );
    }
    if (user.isAdmin && props.some((p) => PHONES.includes(p))) {
      return refuse(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
    }
    const upn = (body as { userPrincipalName?: unknown }).userPrincipalName;
    if (typeof upn === 'string' && upnTaken(state, user, upn)) {
      return refuse(
        400,
        'Request_BadRequest',
        'Another object with the same value for property userPrincipalName already exists.',
      );
    }
    state.stats.writesPerUser.set(user.id, (state.stats.writesPerUser.get(user.id) ?? 0) + 1);
  }
  const changed = assign(user, entries as Array<[UserPropertyName, unknown]>);
  if (changed.length > 0) {
    state.changes.push({ seq: state.nextSeq++, userId: user.id, kind: 'changed', properties: changed });
  }
  return { ok: true, changed };
}

function upnTaken(state: SimState, self: SimUser, upn: string): boolean {
  const lower = upn.toLowerCase();
  for (const u of state.users.values()) {
    if (u.id !== self.id && u.userPrincipalName.toLowerCase() === lower) return true;
  }
  return false;
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function assign(user: SimUser, entries: Array<[UserPropertyName, unknown]>): UserPropertyName[] {
  const changed: UserPropertyName[] = [];
  const record = user as unknown as Record<string, unknown>;
  for (const [prop, value] of entries) {
    const next = Array.isArray(value) ? [...(value as string[])] : value;
    if (same(record[prop], next)) continue;
    record[prop] = next;
    changed.push(prop);
    // "Changes to this property will also update the user's proxyAddresses collection."
    if (prop === 'mail' && typeof value === 'string') {
      const has = user.proxyAddresses.some((p) => p.toLowerCase() === `smtp:${value.toLowerCase()}`);
      if (!has) {
        user.proxyAddresses = [...user.proxyAddresses, `smtp:${value}`];
        if (!changed.includes('proxyAddresses')) changed.push('proxyAddresses');
      }
    }
  }
  return changed;
}

/**
 * Removes a user out of band (an admin deleted it) so `/users/delta` reports it as removed:
 * `reason: "changed"` for a soft delete (restorable for 30 days), `"deleted"` when permanent.
 * https://learn.microsoft.com/graph/delta-query-users
 */
export function deleteUserOutOfBand(
  state: SimState,
  userId: string,
  opts: { permanent?: boolean } = {},
): boolean {
  if (!state.users.delete(userId)) return false;
  state.photos.delete(userId);
  state.changes.push({
    seq: state.nextSeq++,
    userId,
    kind: 'deleted',
    properties: [],
    ...(opts.permanent ? { permanent: true } : {}),
  });
  return true;
}
