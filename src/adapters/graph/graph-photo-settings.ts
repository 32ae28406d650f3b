import { GRAPH_UNITS } from '../../http/api-limiters.js';
import type { HttpClient } from '../../http/http-client.js';
import type { PhotoUpdateSettings } from '../../ports/org-settings.js';
import { parseBody, responseShape, type Endpoint } from '../response-shape.js';
import { errorOf } from './graph-response.js';

const GET_SETTINGS: Endpoint = {
  service: 'graph',
  method: 'GET',
  path: '/beta/admin/people/photoUpdateSettings',
};

interface WireSettings {
  source?: string | null;
  /** The docs' own example answers `{}` where a list belongs: read as no restriction. */
  allowedRoles?: string[] | Record<string, never> | null;
}

const SETTINGS = responseShape<WireSettings>({
  type: 'object',
  properties: {
    source: { type: ['string', 'null'] },
    allowedRoles: {
      anyOf: [
        { type: 'array', items: { type: 'string' } },
        { type: 'object', maxProperties: 0 },
        { type: 'null' },
      ],
    },
  },
});

/**
 * `GET /beta/admin/people/photoUpdateSettings` (beta only; application permission
 * `PeopleSettings.Read.All`), docs/microsoft-365.md#graph-photo-settings.
 * https://learn.microsoft.com/graph/api/peopleadminsettings-list-photoupdatesettings
 */
export function createGraphPhotoSettings(beta: HttpClient): () => Promise<PhotoUpdateSettings> {
  return async () => {
    const request = { method: 'GET', url: 'admin/people/photoUpdateSettings', cost: { [GRAPH_UNITS]: 1 } };
    const res = await beta.send(request);
    if (res.status !== 200) throw errorOf(beta, request, res);
    const wire = parseBody(GET_SETTINGS, res, SETTINGS);
    return {
      source: wire.source ?? 'cloud',
      allowedRoles: Array.isArray(wire.allowedRoles) ? wire.allowedRoles : [],
    };
  };
}
