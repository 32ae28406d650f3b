import { graphJson } from './graph-errors.js';
import {
  GraphFault,
  buildLink,
  decodeToken,
  encodeToken,
  parseSelect,
  parseTop,
  readQueryOptions,
  rejectOtherOptions,
  withFaults,
} from './odata-query.js';
import type { SimContext, SimRequest, SimResponse, SimRoute, SimState, SimUser } from './types.js';
import { DEFAULT_USER_PROPERTIES, projectUser, usersContext } from './user-properties.js';

/**
 * Application permissions that read a group's members: `GroupMember.Read.All` is the least
 * privileged; `Group.Read.All`, `Directory.Read.All` and their write forms grant it too.
 * https://learn.microsoft.com/graph/api/group-list-transitivemembers#permissions
 */
const READ_PERMISSIONS = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const DEFAULT_PAGE_SIZE = 100;

/** The users in `groupId`, directly or through nested groups, each once, in id order. */
export function transitiveUsers(state: SimState, groupId: string): SimUser[] {
  const seen = new Set<string>();
  const users = new Map<string, SimUser>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const member of state.groups?.get(id)?.members ?? []) {
      const user = state.users.get(member);
      if (user) users.set(user.id, user);
      else visit(member);
    }
  };
  visit(groupId.toLowerCase());
  return [...users.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * `GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user`: the group's members that are
 * users, nested groups flattened; `$select`, `$top` (at most 999) and `$skiptoken` paging.
 * https://learn.microsoft.com/graph/api/group-list-transitivemembers
 */
function listTransitiveUsers(req: SimRequest, match: RegExpMatchArray, sim: SimContext): SimResponse {
  return withFaults(req, () => {
    const groupId = decodeURIComponent(match[1] ?? '').toLowerCase();
    if (!sim.state.groups?.has(groupId)) {
      throw new GraphFault(
        404,
        'Request_ResourceNotFound',
        `Resource '${groupId}' does not exist or one of its queried reference-property objects are not present.`,
      );
    }
    const options = readQueryOptions(req.url);
    rejectOtherOptions(options, ['$select', '$top', '$skiptoken']);
    const select = parseSelect(options.get('$select'));
    const top = parseTop(options.get('$top'), DEFAULT_PAGE_SIZE);
    const users = transitiveUsers(sim.state, groupId);
    const after = (decodeToken(options.get('$skiptoken') ?? '') as { a?: string } | undefined)?.a;
    const start = after === undefined ? 0 : users.findIndex((u) => u.id > after);
    const page = start < 0 ? [] : users.slice(start, start + top);
    const body: Record<string, unknown> = { '@odata.context': usersContext(sim.origin, select) };
    if (start >= 0 && start + page.length < users.length) {
      const kept = [...options].filter(([k]) => k !== '$skiptoken');
      const token = encodeToken({ a: page[page.length - 1]!.id });
      body['@odata.nextLink'] = buildLink(
        sim.origin,
        `/v1.0/groups/${groupId}/transitiveMembers/microsoft.graph.user`,
        [...kept, ['$skiptoken', token]],
      );
    }
    body['value'] = page.map((u) => projectUser(u, select ?? DEFAULT_USER_PROPERTIES));
    return graphJson(req, 200, body);
  });
}

export const graphGroupRoutes: SimRoute[] = [
  {
    service: 'graph',
    method: 'GET',
    pattern: /^\/v1\.0\/groups\/([^/]+)\/transitiveMembers\/microsoft\.graph\.user$/,
    name: '/v1.0/groups/{id}/transitiveMembers/microsoft.graph.user',
    permissions: READ_PERMISSIONS,
    handle: listTransitiveUsers,
  },
];
