import type { PhotoUpdateSettings } from '../ports/org-settings.js';

/**
 * Why the tenant will refuse Roster's photo uploads, or undefined when it will not
 * (docs/microsoft-365.md#graph-photo-settings). Pure.
 *
 * - `source: onPremises`: photos sync from on-premises and cloud updates are disabled for admins
 *   and users alike: nothing Roster holds can change that.
 * - `allowedRoles` not empty: only those directory roles (role template ids) may edit photos in
 *   the cloud. An app holds a role only when one is assigned to its service principal, which
 *   Roster cannot read without a further permission; so it counts only the roles its settings
 *   declare (`photos.appRoles`) and skips photos unless one of them is allowed.
 *
 * Any other `source` (`cloud`, or a value added later) refuses nothing.
 */
export function photoUpdateBlock(
  settings: PhotoUpdateSettings,
  appRoles: readonly string[],
): string | undefined {
  if (settings.source.toLowerCase() === 'onpremises') {
    return (
      'profile photos are managed on-premises in this tenant (photoUpdateSettings.source is onPremises): ' +
      'Microsoft 365 refuses photo updates through cloud services, so Roster plans no photo changes. ' +
      'Manage photos in the on-premises directory and set photos.enabled to false, or let an admin allow ' +
      'cloud updates (source "cloud", PATCH https://graph.microsoft.com/beta/admin/people/photoUpdateSettings; ' +
      'changes take up to 24 hours)'
    );
  }
  if (settings.allowedRoles.length === 0) return undefined;
  const held = new Set(appRoles.map((r) => r.toLowerCase()));
  if (settings.allowedRoles.some((r) => held.has(r.toLowerCase()))) return undefined;
  return (
    `cloud photo updates are restricted to the directory roles ${settings.allowedRoles.join(', ')} ` +
    '(photoUpdateSettings.allowedRoles) and photos.appRoles lists none of them, so Roster plans no photo ' +
    "changes. Assign one of these roles to Roster's app (its service principal) and list it under " +
    'photos.appRoles, or let an admin clear allowedRoles'
  );
}
