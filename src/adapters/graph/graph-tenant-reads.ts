import { GRAPH_UNITS } from '../../http/api-limiters.js';
import type { HttpClient } from '../../http/http-client.js';
import type { ObservedUser } from '../../observe/model.js';
import type { TenantDomain } from '../../ports/tenant-access.js';
import { parseBody, responseShape, type Endpoint } from '../response-shape.js';
import { errorOf } from './graph-response.js';
import { USER_PAGE } from './graph-shapes.js';
import { toObservedUser, USER_SELECT } from './user-mapping.js';

const LIST_DOMAINS: Endpoint = { service: 'graph', method: 'GET', path: '/v1.0/domains' };
const LIST_USERS: Endpoint = { service: 'graph', method: 'GET', path: '/v1.0/users' };

/** A list costs 2 resource units, `$select` takes one off (docs/microsoft-365.md#graph-throttling-identity). */
const READ_COST = { [GRAPH_UNITS]: 1 };

interface DomainPage {
  value: { id: string; isVerified?: boolean; isDefault?: boolean; isInitial?: boolean }[];
  '@odata.nextLink'?: string;
}

/** `GET /domains` pages (https://learn.microsoft.com/graph/api/resources/domain). */
const DOMAIN_PAGE = responseShape<DomainPage>({
  type: 'object',
  required: ['value'],
  properties: {
    value: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1 },
          isVerified: { type: ['boolean', 'null'] },
          isDefault: { type: ['boolean', 'null'] },
          isInitial: { type: ['boolean', 'null'] },
        },
      },
    },
    '@odata.nextLink': { type: 'string', minLength: 1 },
  },
});

/** The Graph reads of the preflight checks: the tenant's domains and one sample user. */
export interface GraphTenantReads {
  listDomains(): Promise<TenantDomain[]>;
  sampleUser(): Promise<ObservedUser | undefined>;
}

/**
 * `GET /v1.0/domains` (application permission `Domain.Read.All`, docs/microsoft-365.md#graph-domains)
 * and `GET /v1.0/users?$top=1` (docs/microsoft-365.md#graph-users-list).
 * https://learn.microsoft.com/graph/api/domain-list · https://learn.microsoft.com/graph/api/user-list
 */
export function createGraphTenantReads(http: HttpClient): GraphTenantReads {
  return {
    async listDomains() {
      const domains: TenantDomain[] = [];
      let url: string | undefined = 'domains?$select=id,isVerified,isDefault,isInitial';
      while (url) {
        const request = { method: 'GET', url, cost: READ_COST };
        const res = await http.send(request);
        if (res.status !== 200) throw errorOf(http, request, res);
        const page = parseBody(LIST_DOMAINS, res, DOMAIN_PAGE);
        for (const d of page.value) {
          domains.push({
            name: d.id,
            isVerified: d.isVerified === true,
            isDefault: d.isDefault === true,
            isInitial: d.isInitial === true,
          });
        }
        url = page['@odata.nextLink'];
      }
      return domains;
    },

    async sampleUser() {
      const request = { method: 'GET', url: `users?$select=${USER_SELECT}&$top=1`, cost: READ_COST };
      const res = await http.send(request);
      if (res.status !== 200) throw errorOf(http, request, res);
      const first = parseBody(LIST_USERS, res, USER_PAGE).value[0];
      return first ? toObservedUser(first) : undefined;
    },
  };
}
