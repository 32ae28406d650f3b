import { graphError, graphJson } from './graph-errors.js';
import { behaviourOf } from './seed.js';
import type { SimContext, SimRequest, SimResponse, SimRoute } from './types.js';

/**
 * `GET /beta/admin/people/photoUpdateSettings`: where profile photos may be updated, and by which
 * roles. Beta only; application permission `PeopleSettings.Read.All` (higher:
 * `PeopleSettings.ReadWrite.All`).
 * https://learn.microsoft.com/graph/api/peopleadminsettings-list-photoupdatesettings ·
 * https://learn.microsoft.com/graph/profilephoto-configure-settings
 */
function getPhotoUpdateSettings(req: SimRequest, _m: RegExpMatchArray, sim: SimContext): SimResponse {
  const { source, allowedRoles } = behaviourOf(sim.state).photoUpdateSettings;
  return graphJson(req, 200, {
    '@odata.context': `${sim.origin}/beta/$metadata#admin/people/photoUpdateSettings/$entity`,
    id: 'photoUpdateSettings',
    source,
    allowedRoles: [...allowedRoles],
  });
}

/**
 * Whether the tenant refuses `req`'s photo write because of its photo update settings: with
 * `source: onPremises` "updates through cloud services are disabled for admins and users" alike;
 * with `allowedRoles`, only those directory roles may edit (an app holds the roles assigned to its
 * service principal, `SimApp.directoryRoles`).
 *
 * ASSUMPTION: Microsoft documents no response for a refused write (docs/microsoft-365.md#graph-photo-settings).
 * The simulator answers `403 ErrorAccessDenied`, the code Outlook-backed resources use for a
 * denied request; a client must not rely on the code.
 */
export function photoUpdateRefusal(req: SimRequest, sim: SimContext): SimResponse | undefined {
  const { source, allowedRoles } = behaviourOf(sim.state).photoUpdateSettings;
  if (source === 'onPremises') {
    return graphError(
      req,
      403,
      'ErrorAccessDenied',
      'Access is denied. Profile photos in this organization are managed on-premises; updates through cloud services are disabled.',
    );
  }
  if (allowedRoles.length === 0) return undefined;
  const held = new Set((req.app?.directoryRoles ?? []).map((r) => r.toLowerCase()));
  if (allowedRoles.some((r) => held.has(r.toLowerCase()))) return undefined;
  return graphError(
    req,
    403,
    'ErrorAccessDenied',
    'Access is denied. Updating profile photos is restricted to the roles allowed by the organization.',
  );
}

export const graphPeopleSettingsRoutes: SimRoute[] = [
  {
    service: 'graph',
    method: 'GET',
    pattern: /^\/beta\/admin\/people\/photoUpdateSettings$/i,
    name: '/beta/admin/people/photoUpdateSettings',
    permissions: ['PeopleSettings.Read.All', 'PeopleSettings.ReadWrite.All'],
    handle: getPhotoUpdateSettings,
  },
];
