import type { Settings } from '../config/settings.js';
import { photoUpdateBlock } from '../observe/photo-update-block.js';
import type { OrgSettingsPort, PhotoUpdateSettings } from '../ports/org-settings.js';
import type { TenantAccessPort, TenantDomain } from '../ports/tenant-access.js';
import { errorText, isRefusal } from './error-text.js';
import { finding, ok, type Finding } from './finding.js';

import { describeDomains } from '../plan/no-match.js';

/** Every managed domain (`scope.domains`) must be a verified domain of the tenant. */
export function domainsFinding(scopeDomains: readonly string[], domains: readonly TenantDomain[]): Finding {
  const byName = new Map(domains.map((d) => [d.name.toLowerCase(), d]));
  const absent = scopeDomains.filter((d) => !byName.has(d.toLowerCase()));
  const unverified = scopeDomains.filter((d) => byName.get(d.toLowerCase())?.isVerified === false);
  const tenant = `the tenant's domains: ${describeDomains(domains)}`;
  if (absent.length === 0 && unverified.length === 0) {
    return ok(
      'domains',
      `every managed domain is a verified domain of the tenant (${scopeDomains.join(', ')})`,
    );
  }
  const problems = [
    ...(absent.length > 0
      ? [`${absent.join(', ')} ${absent.length === 1 ? 'is' : 'are'} not a domain of this tenant`]
      : []),
    ...(unverified.length > 0
      ? [`${unverified.join(', ')} ${unverified.length === 1 ? 'is' : 'are'} not verified`]
      : []),
  ];
  return finding(
    'domains',
    'error',
    `scope.domains in roster.yaml: ${problems.join('; ')}; ${tenant}`,
    'list under scope.domains the mail domains your employees use in this tenant (a verified domain), or verify the domain in the Microsoft 365 admin center',
  );
}

export async function checkDomains(
  access: TenantAccessPort,
  settings: Settings,
): Promise<{ finding: Finding; domains?: TenantDomain[] }> {
  try {
    const domains = await access.listDomains();
    return { finding: domainsFinding(settings.scope.domains, domains), domains };
  } catch (error) {
    return {
      finding: finding(
        'domains',
        'error',
        `the tenant's domains could not be read: ${errorText(error)}`,
        isRefusal(error)
          ? "grant the Microsoft Graph application permission Domain.Read.All to Roster's app and grant admin consent"
          : 'run roster doctor again; if it persists, the message above says what Graph answered',
      ),
    };
  }
}

/** Photo updates the tenant refuses make every photo action fail: say so before any run. */
export function photoSettingsFinding(settings: Settings, photo: PhotoUpdateSettings): Finding {
  const block = photoUpdateBlock(photo, settings.photos.appRoles ?? []);
  if (block === undefined) {
    const roles = photo.allowedRoles.length > 0 ? `, restricted to roles Roster holds (photos.appRoles)` : '';
    return ok(
      'photo-settings',
      `the tenant accepts photo updates through Graph (source ${photo.source}${roles})`,
    );
  }
  const onPremises = photo.source.toLowerCase() === 'onpremises';
  return finding(
    'photo-settings',
    'error',
    block,
    onPremises
      ? 'set photos.enabled to false in roster.yaml, or have an admin set the photo update settings source to cloud'
      : "assign one of the allowed roles to Roster's app and list its template id under photos.appRoles, or have an admin clear allowedRoles",
  );
}

export async function checkPhotoSettings(orgSettings: OrgSettingsPort, settings: Settings): Promise<Finding> {
  if (!settings.photos.enabled)
    return finding('photo-settings', 'skipped', 'photos are off (photos.enabled)');
  if (!orgSettings.getPhotoUpdateSettings) {
    return finding('photo-settings', 'skipped', 'this tenant connection cannot read photo update settings');
  }
  try {
    return photoSettingsFinding(settings, await orgSettings.getPhotoUpdateSettings());
  } catch (error) {
    return finding(
      'photo-settings',
      'warning',
      `the photo update settings could not be read (${errorText(error)}); plans assume photos can be updated`,
      "grant the Microsoft Graph application permission PeopleSettings.Read.All to Roster's app and grant admin consent",
    );
  }
}

export async function checkSampleUser(access: TenantAccessPort): Promise<Finding> {
  try {
    const user = await access.sampleUser();
    if (!user) {
      return finding(
        'sample-user',
        'warning',
        'Graph lists no users in this tenant',
        'check that tenant.id names the right tenant',
      );
    }
    return ok('sample-user', `read one user (${user.userPrincipalName})`);
  } catch (error) {
    return finding(
      'sample-user',
      'error',
      `no user could be read: ${errorText(error)}`,
      isRefusal(error)
        ? "grant the Microsoft Graph application permission User.ReadWrite.All to Roster's app and grant admin consent"
        : 'run roster doctor again; if it persists, the message above says what Graph answered',
    );
  }
}
