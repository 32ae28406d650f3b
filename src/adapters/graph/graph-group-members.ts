import { GRAPH_UNITS } from '../../http/api-limiters.js';
import type { HttpClient } from '../../http/http-client.js';
import type { GroupMembersPort } from '../../ports/group-members.js';
import { parseBody, type Endpoint } from '../response-shape.js';
import { errorOf } from './graph-response.js';
import { USER_PAGE } from './graph-shapes.js';
import { toObservedUser, USER_SELECT } from './user-mapping.js';

const MEMBERS: Endpoint = {
  service: 'graph',
  method: 'GET',
  path: '/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user',
};

/** A list with `$select` costs one resource unit (docs/microsoft-365.md#graph-throttling-identity). */
const READ_COST = { [GRAPH_UNITS]: 1 };
const PAGE_SIZE = 999;

/**
 * `GET /groups/{id}/transitiveMembers/microsoft.graph.user` (application permission
 * `GroupMember.Read.All`): the users in the group, nested groups flattened, cast to users so
 * devices and contacts are left out.
 * https://learn.microsoft.com/graph/api/group-list-transitivemembers
 */
export function createGraphGroupMembers(http: HttpClient): GroupMembersPort {
  return {
    async memberAddresses(groupId) {
      const addresses = new Set<string>();
      let url: string | undefined =
        `groups/${encodeURIComponent(groupId)}/transitiveMembers/microsoft.graph.user?$select=${USER_SELECT}&$top=${PAGE_SIZE}`;
      while (url) {
        const request = { method: 'GET', url, cost: READ_COST };
        const res = await http.send(request);
        if (res.status !== 200) throw errorOf(http, request, res);
        const page = parseBody(MEMBERS, res, USER_PAGE);
        for (const user of page.value.map(toObservedUser)) {
          for (const address of [user.mail, user.userPrincipalName, ...user.proxyAddresses]) {
            if (!address) continue;
            addresses.add(address.replace(/^smtp:/i, '').toLowerCase());
          }
        }
        url = page['@odata.nextLink'];
      }
      return addresses;
    },
  };
}
