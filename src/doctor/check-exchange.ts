import type { Settings } from '../config/settings.js';
import type { OrgSettingsPort } from '../ports/org-settings.js';
import type { TenantAccessPort, TenantDomain, TokenClaims } from '../ports/tenant-access.js';
import { errorText, isRefusal, statusOf } from './error-text.js';
import { finding, ok, skipped, type Finding } from './finding.js';

const ROLE_FIX =
  "assign Roster's app the Entra role Exchange Administrator (or an Exchange role group holding Get-OrganizationConfig and Set-MailboxMessageConfiguration); assignments can take an hour to apply";

/**
 * The Exchange role is not in the token: running the read-only `Get-OrganizationConfig` is the
 * proof (docs/microsoft-365.md#exo-role-check). The same call reads the roaming-signature setting.
 */
export async function checkExchangeRole(
  orgSettings: OrgSettingsPort,
  settings: Settings,
  claims: TokenClaims,
): Promise<{ finding: Finding; roamingPostponed?: boolean }> {
  try {
    const roamingPostponed = await orgSettings.getRoamingSignaturesPostponed();
    return {
      finding: ok(
        'exchange-role',
        'Get-OrganizationConfig ran: the app holds a role that lets it run cmdlets',
      ),
      roamingPostponed,
    };
  } catch (error) {
    const text = errorText(error);
    if (isRefusal(error)) {
      const manageAsApp = claims.roles.some((r) => r.toLowerCase() === 'exchange.manageasapp');
      return {
        finding: manageAsApp
          ? finding(
              'exchange-role',
              'error',
              `${text}; the token has Exchange.ManageAsApp, so the role is missing`,
              ROLE_FIX,
            )
          : finding(
              'exchange-role',
              'error',
              `${text}; the token has no Exchange.ManageAsApp (see exchange-permission)`,
              ROLE_FIX,
            ),
      };
    }
    if (statusOf(error) === 404) {
      return {
        finding: finding(
          'exchange-role',
          'error',
          `${text}; Exchange does not know the tenant ${settings.tenant.id}`,
          'set tenant.id in roster.yaml to the tenant id (a GUID) of the tenant Roster manages',
        ),
      };
    }
    return {
      finding: finding(
        'exchange-role',
        'error',
        text,
        'run roster doctor again; if it persists, the message says what Exchange answered',
      ),
    };
  }
}

/**
 * `tenant.domain` is where Roster's Exchange calls are anchored (docs/microsoft-365.md#exo-anchor):
 * addressing the tenant by it must reach the same tenant.
 */
export async function checkExchangeAddress(
  access: TenantAccessPort,
  settings: Settings,
  domains: readonly TenantDomain[] | undefined,
): Promise<Finding> {
  const domain = settings.tenant.domain;
  try {
    await access.checkExchangeByDomain();
    return ok('exchange-address', `Exchange finds the tenant by tenant.domain (${domain})`);
  } catch (error) {
    const initial = domains?.find((d) => d.isInitial)?.name;
    const hint = initial ? ` (this tenant's initial domain is ${initial})` : '';
    const known =
      statusOf(error) === 404
        ? `Exchange does not know tenant.domain ${domain}`
        : `addressing Exchange by tenant.domain ${domain} failed`;
    return finding(
      'exchange-address',
      'error',
      `${known}: ${errorText(error)}`,
      `set tenant.domain in roster.yaml to the tenant's initial domain, the one ending in .onmicrosoft.com${hint}`,
    );
  }
}

/** Signatures set through Set-MailboxMessageConfiguration only show with roaming signatures postponed. */
export function roamingFinding(settings: Settings, postponed: boolean): Finding {
  if (postponed) {
    return ok(
      'roaming-signatures',
      'roaming signatures are postponed (PostponeRoamingSignaturesUntilLater is True): signatures Roster sets will show',
    );
  }
  const fix =
    'postpone roaming signatures: Set-OrganizationConfig -PostponeRoamingSignaturesUntilLater $true (Exchange Online PowerShell, as an Exchange administrator)';
  if (settings.signatures.whenRoamingEnabled === 'warn') {
    return finding(
      'roaming-signatures',
      'warning',
      'roaming signatures are on (PostponeRoamingSignaturesUntilLater is False): Roster pushes signatures (whenRoamingEnabled: warn), but Outlook will not show them',
      fix,
    );
  }
  return finding(
    'roaming-signatures',
    'error',
    'roaming signatures are on (PostponeRoamingSignaturesUntilLater is False): Roster refuses to push signatures (signatures.whenRoamingEnabled: refuse)',
    fix,
  );
}

/** Every Exchange check, in order; skipped as a whole when signatures are off. */
export async function exchangeChecks(
  deps: { access: TenantAccessPort; orgSettings: OrgSettingsPort },
  settings: Settings,
  token: { finding: Finding; claims?: TokenClaims },
  permission: Finding | undefined,
  domains: readonly TenantDomain[] | undefined,
): Promise<Finding[]> {
  const claims = token.claims;
  if (!claims || !permission) {
    return [
      token.finding,
      skipped('exchange-permission', 'no Exchange token'),
      skipped('exchange-role', 'no Exchange token'),
      skipped('exchange-address', 'no Exchange token'),
      skipped('roaming-signatures', 'no Exchange token'),
    ];
  }
  const role = await checkExchangeRole(deps.orgSettings, settings, claims);
  if (role.roamingPostponed === undefined) {
    return [
      token.finding,
      permission,
      role.finding,
      skipped('exchange-address', 'Exchange refused the app (see exchange-role)'),
      skipped('roaming-signatures', 'Exchange refused the app (see exchange-role)'),
    ];
  }
  const address = await checkExchangeAddress(deps.access, settings, domains);
  return [token.finding, permission, role.finding, address, roamingFinding(settings, role.roamingPostponed)];
}
