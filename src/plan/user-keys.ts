import type { ObservedUser } from '../observe/model.js';

/** Only SMTP addresses (primary `SMTP:` or secondary `smtp:`) are mail aliases. */
export function smtpAliases(user: Pick<ObservedUser, 'proxyAddresses'>): string[] {
  return user.proxyAddresses.filter((p) => /^smtp:/i.test(p)).map((p) => p.slice(5));
}

/** The keys an employee can match a user by, lowercased as employee keys are. */
export interface UserKeys {
  mail: string | null;
  userPrincipalName: string;
  /** Each SMTP proxy address once. */
  addresses: string[];
}

/**
 * A user's match keys, lowercased by JavaScript like an employee's key, so a stored snapshot is
 * looked up by exactly the comparison Roster makes in memory (PostgreSQL's `lower()` depends on
 * the database's locale and need not agree).
 */
export function userKeys(user: ObservedUser): UserKeys {
  return {
    mail: user.mail ? user.mail.toLowerCase() : null,
    userPrincipalName: user.userPrincipalName.toLowerCase(),
    addresses: [...new Set(smtpAliases(user).map((a) => a.toLowerCase()))],
  };
}
