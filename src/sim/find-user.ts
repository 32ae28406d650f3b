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

/**
 * Looks a mailbox owner up the way Exchange resolves `-Identity`: object id
 * (ExternalDirectoryObjectId), UPN, primary mail, or any `smtp:` proxy address.
 * https://learn.microsoft.com/powershell/module/exchange/get-mailbox
 */
export function findMailboxUser(state: SimState, identity: string): SimUser | undefined {
  const lower = identity.trim().toLowerCase();
  if (lower === '') return undefined;
  for (const user of state.users.values()) {
    if (!user.hasMailbox) continue;
    if (
      user.id.toLowerCase() === lower ||
      user.userPrincipalName.toLowerCase() === lower ||
      user.mail?.toLowerCase() === lower ||
      user.proxyAddresses.some((p) => p.replace(/^smtp:/i, '').toLowerCase() === lower)
    ) {
      return user;
    }
  }
  return undefined;
}

function unquote(value: string): string {
  const m = /^\('(.*)'\)$/.exec(value);
  return m?.[1] ?? value;
}
