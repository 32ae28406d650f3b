import type { Settings } from '../config/settings.js';
import type { TokenApi, TokenClaims } from '../ports/tenant-access.js';
import { finding, ok, type Finding } from './finding.js';

/** One application permission the settings need, the higher ones that also grant it, and why. */
export interface RequiredRole {
  role: string;
  /** The role itself and the higher permissions Microsoft lists for the same calls. */
  satisfiedBy: readonly string[];
  why: string;
  /** `warning`: Roster works without it, with less (the finding says what). */
  severity: 'error' | 'warning';
}

/**
 * What the settings need in each token. Higher permissions as Microsoft lists them:
 * docs/microsoft-365.md#graph-users-patch (Directory.ReadWrite.All), #graph-photo-put
 * (User.ReadWrite.All), #graph-photo-settings, #graph-domains; Exchange: #exo-auth.
 */
export function requiredRoles(settings: Settings, api: TokenApi): RequiredRole[] {
  if (api === 'exchange') {
    if (!settings.signatures.enabled) return [];
    return [
      {
        role: 'Exchange.ManageAsApp',
        satisfiedBy: ['Exchange.ManageAsApp'],
        why: 'signatures and the roaming-signature setting',
        severity: 'error',
      },
    ];
  }
  const roles: RequiredRole[] = [
    {
      role: 'User.ReadWrite.All',
      satisfiedBy: ['User.ReadWrite.All', 'Directory.ReadWrite.All'],
      why: 'reading users and updating their profile fields',
      severity: 'error',
    },
    {
      role: 'Domain.Read.All',
      satisfiedBy: [
        'Domain.Read.All',
        'Domain.ReadWrite.All',
        'Directory.Read.All',
        'Directory.ReadWrite.All',
      ],
      why: 'checking the managed domains against the tenant',
      severity: 'error',
    },
  ];
  if (settings.photos.enabled) {
    roles.push(
      {
        role: 'ProfilePhoto.ReadWrite.All',
        satisfiedBy: ['ProfilePhoto.ReadWrite.All', 'User.ReadWrite.All'],
        why: 'reading and uploading profile photos',
        severity: 'error',
      },
      {
        role: 'PeopleSettings.Read.All',
        satisfiedBy: ['PeopleSettings.Read.All', 'PeopleSettings.ReadWrite.All'],
        why: 'reading the photo update settings (without it, photos are planned even where the tenant refuses them)',
        severity: 'warning',
      },
    );
  }
  return roles;
}

const CHECK = { graph: 'graph-permissions', exchange: 'exchange-permission' } as const;
const WHERE = {
  graph: 'Microsoft Graph application permission',
  exchange: 'Office 365 Exchange Online application permission',
} as const;

/** The permission finding of one token: every required role present, or which are missing. */
export function rolesFinding(settings: Settings, api: TokenApi, claims: TokenClaims): Finding {
  const held = new Set(claims.roles.map((r) => r.toLowerCase()));
  const required = requiredRoles(settings, api);
  const missing = required.filter((r) => !r.satisfiedBy.some((s) => held.has(s.toLowerCase())));
  const has = claims.roles.length > 0 ? claims.roles.join(', ') : 'none';
  if (missing.length === 0) {
    const wanted = required.map((r) => r.role).join(', ') || 'none needed';
    return ok(CHECK[api], `the ${api} token carries what the settings need (${wanted}); it has: ${has}`);
  }
  const severity = missing.some((r) => r.severity === 'error') ? 'error' : 'warning';
  const list = missing.map((r) => `${r.role} (for ${r.why})`).join('; ');
  return finding(
    CHECK[api],
    severity,
    `the ${api} token lacks ${list}; it has: ${has}`,
    `grant the ${WHERE[api]}${missing.length === 1 ? '' : 's'} ${missing.map((r) => r.role).join(', ')} ` +
      "to Roster's app (type Application, not Delegated) and grant admin consent; a new token carries it within minutes",
  );
}
