import { describe, expect, it } from 'vitest';
import { photoUpdateBlock } from './photo-update-block.js';

const ROLE = '62e90394-69f5-4237-9190-012177145e10';

describe('photoUpdateBlock', () => {
  it.each([
    ['cloud, no restriction', { source: 'cloud', allowedRoles: [] }, [], false],
    ['a source added later', { source: 'unknownFutureValue', allowedRoles: [] }, [], false],
    ['on-premises, whatever the roles', { source: 'onPremises', allowedRoles: [] }, [ROLE], true],
    ['restricted to a role the app does not declare', { source: 'cloud', allowedRoles: [ROLE] }, [], true],
    [
      'restricted to a role the app declares',
      { source: 'cloud', allowedRoles: [ROLE] },
      [ROLE.toUpperCase()],
      false,
    ],
  ])('%s', (_name, settings, appRoles, blocked) => {
    expect(photoUpdateBlock(settings, appRoles) !== undefined).toBe(blocked);
  });

  it('says why and how to fix it', () => {
    expect(photoUpdateBlock({ source: 'onPremises', allowedRoles: [] }, [])).toMatch(
      /^profile photos are managed on-premises in this tenant .* set photos\.enabled to false, or let an admin allow cloud updates/,
    );
    expect(photoUpdateBlock({ source: 'cloud', allowedRoles: [ROLE] }, [])).toContain(
      `restricted to the directory roles ${ROLE} (photoUpdateSettings.allowedRoles)`,
    );
  });
});
