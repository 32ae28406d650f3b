import type { SimState, SimUser } from './types.js';

/**
 * Looks a user up the way Graph resolves `/users/{id | userPrincipalName}`: by object id, else by
 * UPN (case-insensitive). Graph also accepts `('upn')` quoting for UPNs starting with `$`.
 * https://learn.microsoft.com/graph/api/user-get
 */
export function findUser(state: SimState, idOrUpn: string): SimUser | undefined {
  const key = unquote(idOrUpn);
  const byId = state.users.get(key) ?? state.users.get(key.toLowerCase());
  if (byId) return byId;
  const lower = key.toLowerCase();
  for (const user of state.users.values()) {
    if (user.id.toLowerCase() === lower || user.userPrincipalName.toLowerCase() === lower) return user;
  }
  return undefined;
}

/** Whether `user` answers to `identity` (lower-cased) the way Exchange resolves `-Identity`. */
function answersTo(user: SimUser, lower: string): boolean {
  return (
    user.hasMailbox &&
    (user.id.toLowerCase() === lower ||
      user.userPrincipalName.toLowerCase() === lower ||
      user.mail?.toLowerCase() === lower ||
      user.proxyAddresses.some((p) => p.replace(/^smtp:/i, '').toLowerCase() === lower))
  );
}

/** Every identity a mailbox user answers to, lower-cased. */
function identitiesOf(user: SimUser): string[] {
  if (!user.hasMailbox) return [];
  const out = [user.id.toLowerCase(), user.userPrincipalName.toLowerCase()];
  if (user.mail) out.push(user.mail.toLowerCase());
  for (const p of user.proxyAddresses) out.push(p.replace(/^smtp:/i, '').toLowerCase());
  return out;
}

/**
 * Identity → user id, per user map. A scan of every user per cmdlet made a run over N mailboxes
 * cost N² in the simulator (minutes at 50,000). The index is rebuilt on a miss and re-checked on
 * every hit, so a user added, renamed, re-addressed or deleted since is still found (or not)
 * as the scan would (ties between two users holding one address aside).
 */
const indexes = new WeakMap<Map<string, SimUser>, Map<string, string>>();

function buildIndex(users: Map<string, SimUser>): Map<string, string> {
  const index = new Map<string, string>();
  for (const user of users.values()) {
    for (const identity of identitiesOf(user)) if (!index.has(identity)) index.set(identity, user.id);
  }
  indexes.set(users, index);
  return index;
}

/**
 * Looks a mailbox owner up the way Exchange resolves `-Identity`: object id
 * (ExternalDirectoryObjectId), UPN, primary mail, or any `smtp:` proxy address.
 * https://learn.microsoft.com/powershell/module/exchange/get-mailbox
 */
export function findMailboxUser(state: SimState, identity: string): SimUser | undefined {
  const lower = identity.trim().toLowerCase();
  if (lower === '') return undefined;
  const cached = indexes.get(state.users)?.get(lower);
  const known = cached === undefined ? undefined : state.users.get(cached);
  if (known && answersTo(known, lower)) return known;
  const id = buildIndex(state.users).get(lower);
  return id === undefined ? undefined : state.users.get(id);
}

function unquote(value: string): string {
  const m = /^\('(.*)'\)$/.exec(value);
  return m?.[1] ?? value;
}
