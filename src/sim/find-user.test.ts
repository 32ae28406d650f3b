import { describe, expect, it } from 'vitest';
import { findMailboxUser } from './find-user.js';
import { buildState } from './seed.js';

function state() {
  return buildState({
    tenant: { domain: 'contoso.onmicrosoft.com' },
    users: [
      {
        userPrincipalName: 'ada@contoso.com',
        proxyAddresses: ['SMTP:ada@contoso.com', 'smtp:al@contoso.com'],
      },
      { userPrincipalName: 'bob@contoso.com' },
    ],
  });
}

describe('findMailboxUser', () => {
  it('resolves id, UPN, mail and proxy addresses, case-insensitively, the same on a repeat', () => {
    const s = state();
    const ada = [...s.users.values()][0]!;
    for (const identity of [ada.id.toUpperCase(), 'ADA@contoso.com', ' al@CONTOSO.com ', 'al@contoso.com']) {
      expect(findMailboxUser(s, identity)?.id).toBe(ada.id);
    }
    expect(findMailboxUser(s, 'nobody@contoso.com')).toBeUndefined();
    expect(findMailboxUser(s, '  ')).toBeUndefined();
  });

  it('does not answer from an earlier lookup once the user changed or left', () => {
    const s = state();
    const [ada, bob] = [...s.users.values()];
    expect(findMailboxUser(s, 'al@contoso.com')?.id).toBe(ada!.id);
    // The alias moves to Bob: the remembered answer no longer holds.
    ada!.proxyAddresses = ['SMTP:ada@contoso.com'];
    bob!.proxyAddresses = [...bob!.proxyAddresses, 'smtp:al@contoso.com'];
    expect(findMailboxUser(s, 'al@contoso.com')?.id).toBe(bob!.id);
    // Bob loses his mailbox, then is deleted.
    bob!.hasMailbox = false;
    expect(findMailboxUser(s, 'al@contoso.com')).toBeUndefined();
    expect(findMailboxUser(s, 'ada@contoso.com')?.id).toBe(ada!.id);
    s.users.delete(ada!.id);
    expect(findMailboxUser(s, 'ada@contoso.com')).toBeUndefined();
  });
});
