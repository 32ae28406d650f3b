import { GRAPH_UNITS, GRAPH_WRITES } from '../../http/api-limiters.js';
import type { HttpClient } from '../../http/http-client.js';
import type { ObservedUser } from '../../observe/model.js';
import type { DeltaEnd, DirectoryPort, RemovedUser, UserPatch } from '../../ports/directory.js';
import type { ItemResult } from '../../ports/item-result.js';
import { checkShape, parseBody, type Endpoint } from '../response-shape.js';
import { header, itemError, runBatch, type BatchRequest } from './graph-batch.js';
import { errorOf, graphError } from './graph-response.js';
import { DELTA_PAGE, USER, USER_PAGE } from './graph-shapes.js';
import { inDomains } from '../../observe/in-scope.js';
import { toGraphPatch, toObservedUser, USER_SELECT } from './user-mapping.js';

/** Graph's largest page for `/users` (docs/microsoft-365.md#graph-users-list). */
const PAGE_SIZE = 999;

/**
 * Resource units per request (docs/microsoft-365.md#graph-throttling-identity): a GET costs 1
 * (a list 2), `$select` takes one off, with a minimum of 1; a write costs 1 unit plus 1 write.
 */
const READ_COST = { [GRAPH_UNITS]: 1 };
const WRITE_COST = { [GRAPH_UNITS]: 1, [GRAPH_WRITES]: 1 };

const LIST: Endpoint = { service: 'graph', method: 'GET', path: '/v1.0/users' };
const DELTA: Endpoint = { service: 'graph', method: 'GET', path: '/v1.0/users/delta' };
const GET_USER: Endpoint = { service: 'graph', method: 'GET', path: '/v1.0/users/{id}' };

function requestIdOf(headers: Record<string, string>): string | undefined {
  return header(headers, 'request-id');
}

/**
 * Delta codes that mean "this token is no longer any good: sync from scratch", lower-cased: the
 * docs write `syncStateNotFound`, real bodies `SyncStateNotFound` (docs/microsoft-365.md#graph-delta-reset),
 * so any spelling counts.
 */
const RESYNC_CODES = new Set(['syncstatenotfound', 'syncstateinvalid', 'resyncrequired']);

function needsResync(status: number, errorCode: string | undefined): boolean {
  return status === 410 || (errorCode !== undefined && RESYNC_CODES.has(errorCode.toLowerCase()));
}

/**
 * The directory port over Microsoft Graph users.
 * https://learn.microsoft.com/graph/api/user-list · /graph/api/user-delta · /graph/api/user-update
 */
export function createGraphDirectory(http: HttpClient): DirectoryPort {
  return {
    /**
     * One `$select`ed list of all users, `$top=999`, filtered here. A server-side
     * `endsWith(mail,…)` filter costs the same number of requests whenever most users are in
     * the managed domains, but it is an advanced query — eventually consistent, so a plan right
     * after an apply could read stale values — and it would miss users matched by UPN or alias.
     */
    async *listUsers(domains) {
      let url: string | undefined = `users?$select=${USER_SELECT}&$top=${PAGE_SIZE}`;
      while (url) {
        const request = { method: 'GET', url, cost: READ_COST };
        const res = await http.send(request);
        if (res.status !== 200) throw errorOf(http, request, res);
        const page = parseBody(LIST, res, USER_PAGE);
        const users = page.value.map(toObservedUser).filter((u) => inDomains(u, domains));
        if (users.length > 0) yield users;
        url = page['@odata.nextLink'];
      }
    },

    async delta(deltaLink, onPage) {
      let url: string | undefined = deltaLink ?? `users/delta?$select=${USER_SELECT}`;
      for (;;) {
        const request = {
          method: 'GET',
          url,
          cost: READ_COST,
          headers: { prefer: `odata.maxpagesize=${PAGE_SIZE}` },
        };
        const res = await http.send(request);
        if (res.status !== 200) {
          const error = errorOf(http, request, res);
          if (needsResync(res.status, error.errorCode)) {
            return { kind: 'resync-required', reason: error.message } satisfies DeltaEnd;
          }
          throw error;
        }
        const page = parseBody(DELTA, res, DELTA_PAGE);
        // Duplicates happen within and across pages: the last entry for an id wins (pages are
        // handed over in order, so across pages the later one does).
        const users = new Map<string, ObservedUser>();
        const removed = new Map<string, RemovedUser>();
        for (const item of page.value) {
          if (item['@removed']) {
            users.delete(item.id);
            removed.set(item.id, {
              id: item.id,
              reason: item['@removed'].reason === 'deleted' ? 'deleted' : 'changed',
            });
          } else {
            removed.delete(item.id);
            users.set(item.id, toObservedUser(item));
          }
        }
        if (users.size + removed.size > 0) {
          await onPage({ users: [...users.values()], removed: [...removed.values()] });
        }
        if (page['@odata.deltaLink']) {
          return { kind: 'complete', deltaLink: page['@odata.deltaLink'] } satisfies DeltaEnd;
        }
        url = page['@odata.nextLink'];
        if (!url)
          throw graphError(
            'GET',
            '/v1.0/users/delta',
            200,
            'a delta page had neither nextLink nor deltaLink',
            res.requestId,
          );
      }
    },

    async latestDeltaLink() {
      const request = {
        method: 'GET',
        url: `users/delta?$select=${USER_SELECT}&$deltaToken=latest`,
        cost: READ_COST,
      };
      const res = await http.send(request);
      if (res.status !== 200) throw errorOf(http, request, res);
      const link = parseBody(DELTA, res, DELTA_PAGE)['@odata.deltaLink'];
      if (!link)
        throw graphError(
          'GET',
          '/v1.0/users/delta',
          200,
          'no deltaLink for $deltaToken=latest',
          res.requestId,
        );
      return link;
    },

    async getUsers(ids) {
      const requests: BatchRequest[] = ids.map((id) => ({
        method: 'GET',
        url: `/users/${encodeURIComponent(id)}?$select=${USER_SELECT}`,
        cost: READ_COST,
      }));
      const outcomes = await runBatch(http, requests);
      return outcomes.map((o, i): ItemResult<ObservedUser | null> => {
        const id = ids[i]!;
        if (!o.ok) return { id, ok: false, error: o.error };
        if (o.status === 200) {
          const user = checkShape(GET_USER, 200, o.body, USER, requestIdOf(o.headers));
          return user.ok ? { id, ok: true, value: toObservedUser(user.value) } : { id, ...user };
        }
        if (o.status === 404) return { id, ok: true, value: null };
        return { id, ok: false, error: itemError(requests[i]!, o) };
      });
    },

    async patchUsers(patches: UserPatch[]) {
      const requests: BatchRequest[] = patches.map((p) => ({
        method: 'PATCH',
        url: `/users/${encodeURIComponent(p.userId)}`,
        body: toGraphPatch(p.body),
        cost: WRITE_COST,
      }));
      const outcomes = await runBatch(http, requests);
      return outcomes.map((o, i): ItemResult<void> => {
        const id = patches[i]!.userId;
        if (!o.ok) return { id, ok: false, error: o.error };
        if (o.status >= 200 && o.status <= 299) return { id, ok: true, value: undefined };
        return { id, ok: false, error: itemError(requests[i]!, o) };
      });
    },
  };
}
