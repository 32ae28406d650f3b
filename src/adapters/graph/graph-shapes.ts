import { FIELD_CATALOG, MANAGED_FIELDS } from '../../config/field-catalog.js';
import { responseShape } from '../response-shape.js';
import type { GraphUser } from './user-mapping.js';

/**
 * The shapes of the Graph responses Roster reads, checked where they arrive. Only what Roster
 * relies on is constrained; extra properties are allowed (Graph adds annotations freely).
 * https://learn.microsoft.com/graph/api/resources/user · /graph/paging · /graph/json-batching
 */

const text = { type: ['string', 'null'] };
const texts = { anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] };

const managed = Object.fromEntries(
  MANAGED_FIELDS.map((f) => [FIELD_CATALOG[f].graph, FIELD_CATALOG[f].type === 'string[]' ? texts : text]),
);

const user = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', minLength: 1 },
    userPrincipalName: text,
    mail: text,
    proxyAddresses: texts,
    onPremisesSyncEnabled: { type: ['boolean', 'null'] },
    ...managed,
  },
};

const link = { type: 'string', minLength: 1 };

export interface UserPage {
  value: GraphUser[];
  '@odata.nextLink'?: string;
}

/** `GET /users` pages (https://learn.microsoft.com/graph/api/user-list). */
export const USER_PAGE = responseShape<UserPage>({
  type: 'object',
  required: ['value'],
  properties: { value: { type: 'array', items: user }, '@odata.nextLink': link },
});

export type DeltaItem = GraphUser & { '@removed'?: { reason?: string } };

export interface DeltaPage {
  value: DeltaItem[];
  '@odata.nextLink'?: string;
  '@odata.deltaLink'?: string;
}

/** `GET /users/delta` pages: users, or removed ids with `@removed` (https://learn.microsoft.com/graph/api/user-delta). */
export const DELTA_PAGE = responseShape<DeltaPage>({
  type: 'object',
  required: ['value'],
  properties: {
    value: {
      type: 'array',
      items: {
        ...user,
        properties: {
          ...user.properties,
          '@removed': { type: 'object', properties: { reason: { type: 'string' } } },
        },
      },
    },
    '@odata.nextLink': link,
    '@odata.deltaLink': link,
  },
});

/** One user, as a `$batch` item's body (https://learn.microsoft.com/graph/api/user-get). */
export const USER = responseShape<GraphUser>(user);

export interface PhotoMetadata {
  '@odata.mediaContentType'?: string | null;
  '@odata.mediaEtag'?: string | null;
  id?: string | null;
  width?: number | null;
  height?: number | null;
}

/** Photo metadata (https://learn.microsoft.com/graph/api/profilephoto-get). */
export const PHOTO_METADATA = responseShape<PhotoMetadata>({
  type: 'object',
  properties: {
    '@odata.mediaContentType': text,
    '@odata.mediaEtag': text,
    id: text,
    width: { type: ['integer', 'null'], minimum: 0 },
    height: { type: ['integer', 'null'], minimum: 0 },
  },
});

export interface BatchEnvelope {
  responses: { id: string; status: number; headers?: Record<string, string>; body?: unknown }[];
}

/** The `$batch` envelope (https://learn.microsoft.com/graph/json-batching). */
export const BATCH_ENVELOPE = responseShape<BatchEnvelope>({
  type: 'object',
  required: ['responses'],
  properties: {
    responses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'status'],
        properties: {
          id: { type: 'string' },
          status: { type: 'integer', minimum: 100, maximum: 599 },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
    },
  },
});
