import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HrData, HrEmployee } from '../local/seed-hr.js';

/** Where the baseline sends its requests and how it authenticates (simulator only). */
export interface BaselineTarget {
  origin: string;
  tenantId: string;
  /** Initial domain, for the app-only anchor mailbox. */
  tenantDomain: string;
  clientId: string;
  clientSecret: string;
  /** Pause after every call, in wall ms (the seed's design: 150 ms, never time-scaled). */
  pauseMs: number;
}

/** What one baseline pass over a slice of employees cost. */
export interface BaselineResult {
  employees: number;
  wallMs: number;
  /** Microsoft calls (token requests not included), by endpoint. */
  requests: number;
  byEndpoint: Record<string, number>;
  tokenRequests: number;
  failed: number;
  throttled: number;
}

const SYSTEM_MAILBOX = 'SystemMailbox{bb558c35-97f1-4cb9-8ff7-d53741dc928c}';

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The seed's design, kept as the yardstick: one employee at a time, look the user up by mail,
 * PATCH every mapped field, upload the photo, set the signature, and pause after each call —
 * on every run, whether anything drifted or not. No batching, no delta, no comparison.
 */
export async function runBaseline(
  target: BaselineTarget,
  hr: HrData,
  employees: HrEmployee[],
): Promise<BaselineResult> {
  const offices = new Map(hr.offices.map((o) => [o.id, o]));
  const byEndpoint: Record<string, number> = {};
  let failed = 0;
  let throttled = 0;
  let tokenRequests = 0;
  const tokens = new Map<string, string>();

  async function token(scope: string): Promise<string> {
    const cached = tokens.get(scope);
    if (cached) return cached;
    tokenRequests += 1;
    const res = await fetch(`${target.origin}/${target.tenantId}/oauth2/v2.0/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: target.clientId,
        client_secret: target.clientSecret,
        scope,
      }),
    });
    const body = (await res.json()) as { access_token?: string };
    if (!res.ok || !body.access_token) throw new Error(`baseline: token request failed (${res.status})`);
    tokens.set(scope, body.access_token);
    return body.access_token;
  }

  async function call(name: string, url: string, init: RequestInit, scope: string): Promise<Response> {
    byEndpoint[name] = (byEndpoint[name] ?? 0) + 1;
    const headers = {
      ...(init.headers as Record<string, string>),
      authorization: `Bearer ${await token(scope)}`,
    };
    const res = await fetch(url, { ...init, headers });
    if (res.status === 429) throttled += 1;
    await sleep(target.pauseMs);
    return res;
  }

  const graph = 'https://graph.microsoft.com/.default';
  const exchange = 'https://outlook.office365.com/.default';
  const started = performance.now();
  for (const e of employees) {
    const office = e.officeId === null ? undefined : offices.get(e.officeId);
    let ok = true;
    const filter = encodeURIComponent(`mail eq '${e.email.replace(/'/g, "''")}'`);
    const found = await call(
      'GET /v1.0/users?$filter',
      `${target.origin}/v1.0/users?$filter=${filter}`,
      {},
      graph,
    );
    const user = found.ok ? ((await found.json()) as { value: Array<{ id: string }> }).value[0] : undefined;
    if (!user) {
      failed += 1;
      continue;
    }
    const patch = await call(
      'PATCH /v1.0/users/{id}',
      `${target.origin}/v1.0/users/${user.id}`,
      {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          givenName: e.firstName,
          surname: e.lastName,
          displayName: `${e.firstName} ${e.lastName}`,
          jobTitle: e.title,
          mobilePhone: e.phone,
          department: office?.name ?? null,
          officeLocation: office?.city ?? null,
        }),
      },
      graph,
    );
    ok &&= patch.ok;
    await patch.arrayBuffer();
    if (e.profileImageUrl) {
      const photo = Buffer.from(await (await fetch(e.profileImageUrl)).arrayBuffer());
      const put = await call(
        'PUT /v1.0/users/{id}/photo/$value',
        `${target.origin}/v1.0/users/${user.id}/photo/$value`,
        { method: 'PUT', headers: { 'content-type': 'image/jpeg' }, body: photo },
        graph,
      );
      ok &&= put.ok;
      await put.arrayBuffer();
    }
    const name = `${e.firstName} ${e.lastName}`;
    const html = `<p>Med vennlig hilsen<br><b>${escapeHtml(name)}</b><br>${escapeHtml(e.title ?? '')}</p>`;
    const set = await call(
      'POST InvokeCommand Set-MailboxMessageConfiguration',
      `${target.origin}/adminapi/beta/${target.tenantId}/InvokeCommand`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-anchormailbox': `APP:${SYSTEM_MAILBOX}@${target.tenantDomain}`,
        },
        body: JSON.stringify({
          CmdletInput: {
            CmdletName: 'Set-MailboxMessageConfiguration',
            Parameters: { Identity: e.email, SignatureHtml: html, AutoAddSignature: true },
          },
        }),
      },
      exchange,
    );
    ok &&= set.ok;
    await set.arrayBuffer();
    if (!ok) failed += 1;
  }
  const requests = Object.values(byEndpoint).reduce((a, b) => a + b, 0);
  return {
    employees: employees.length,
    wallMs: performance.now() - started,
    requests,
    byEndpoint,
    tokenRequests,
    failed,
    throttled,
  };
}
