import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { call, photoState, routeContext, simRequest } from '../../test/sim/route-context.js';
import { normalizeSignatureHtml } from './exchange-signature-html.js';
import { exchangeRoutes, SYSTEM_MAILBOX_GUID } from './exchange.js';
import { findUser } from './find-user.js';
import { defaultBehaviourSettings } from './seed.js';
import type { SimState } from './types.js';

const ANCHOR = `APP:SystemMailbox{${SYSTEM_MAILBOX_GUID}}@contoso.onmicrosoft.com`;

/** The cmdlet's own text of an error answer: `details[0].message` without its code and exception type. */
function detail(body: Record<string, unknown>): string {
  const message = (body.error as { details: { message: string }[] }).details[0]!.message;
  return message.split('|').slice(2).join('|');
}

function setup(mutate?: (s: SimState) => void) {
  const state = photoState();
  mutate?.(state);
  const ctx = routeContext(state, exchangeRoutes);
  const invoke = async (
    CmdletName: string,
    Parameters?: Record<string, unknown>,
    opts: { path?: string; headers?: IncomingHttpHeaders } = {},
  ) => {
    const res = await call(
      ctx,
      simRequest('POST', opts.path ?? `/adminapi/beta/${state.tenantId}/InvokeCommand`, {
        headers: { 'content-type': 'application/json', 'x-anchormailbox': ANCHOR, ...opts.headers },
        body: { CmdletInput: { CmdletName, ...(Parameters ? { Parameters } : {}) } },
      }),
    );
    return {
      status: res.status,
      body: res.body as Record<string, unknown> & { value: Record<string, unknown>[] },
    };
  };
  return { state, ctx, invoke };
}

describe('Exchange InvokeCommand', () => {
  it('round-trips a signature, storing the HTML normalized', async () => {
    const { state, invoke } = setup((s) => (s.organizationConfig.PostponeRoamingSignaturesUntilLater = true));
    const html =
      '<table onclick="steal()">\n<tr><td><a href=" javascript:alert(1)" title="x">Alice</a><script>alert(1)</script></td></tr>\n</table>';
    const set = await invoke('Set-MailboxMessageConfiguration', {
      identity: 'cc@contoso.com',
      SignatureHtml: html,
      SignatureText: 'Carol\nCole',
      AutoAddSignature: true,
    });
    expect(set).toEqual({ status: 200, body: { '@odata.context': expect.any(String), value: [] } });
    const carol = findUser(state, 'carol@contoso.com');
    expect(state.stats.writesPerUser.get(carol?.id ?? '')).toBe(1);

    const get = await invoke('Get-MailboxMessageConfiguration', { Identity: 'carol@contoso.com' });
    expect(get.status).toBe(200);
    expect(get.body.value[0]).toMatchObject({
      Identity: carol?.id,
      SignatureHtml:
        '<html><body><table>\r\n<tr><td><a title="x">Alice</a></td></tr>\r\n</table></body></html>',
      SignatureText: 'Carol\nCole',
      AutoAddSignature: true,
      AutoAddSignatureOnReply: false,
    });
    expect(get.body['@adminapi.warnings']).toBeUndefined();
  });

  it('records when each mailbox was written while a record is kept, and nothing else', async () => {
    const { state, invoke } = setup();
    await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'alice@contoso.com',
      SignatureHtml: '<p>A</p>',
    });
    expect(state.stats.signatureWrites).toBeUndefined();
    state.stats.signatureWrites = [];
    const before = Date.now();
    await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'carol@contoso.com',
      SignatureHtml: '<p>C</p>',
    });
    await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'nobody@contoso.com',
      SignatureHtml: '<p>N</p>',
    });
    await invoke('Get-MailboxMessageConfiguration', { Identity: 'alice@contoso.com' });
    const carol = findUser(state, 'carol@contoso.com')!;
    expect(state.stats.signatureWrites).toEqual([
      { at: expect.any(Number), userId: carol.id, userPrincipalName: carol.userPrincipalName },
    ]);
    expect(state.stats.signatureWrites[0]!.at).toBeGreaterThanOrEqual(before);
  });

  it('warns when signature settings are set while roaming signatures are on', async () => {
    const { invoke } = setup();
    const set = await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'alice@contoso.com',
      SignatureHtml: '<p>A</p>',
    });
    expect(set.status).toBe(200);
    expect(set.body['@adminapi.warnings']).toEqual([
      expect.stringContaining('roaming signatures are enabled'),
    ]);
  });

  it('refuses unknown parameters, wrong types and missing identity with the error envelope', async () => {
    const { invoke, state } = setup();
    const unknown = await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'alice@contoso.com',
      Signature: 'x',
    });
    expect(unknown.status).toBe(400);
    // As observed (docs/microsoft-365.md#exo-errors): the cmdlet's text only in the details, as
    // code|exception type|message, and no internalException.
    expect(unknown.body).toMatchInlineSnapshot(`
      {
        "error": {
          "code": "BadRequest",
          "details": [
            {
              "code": "Context",
              "message": "Ex242928|System.Management.Automation.ParameterBindingException|A parameter cannot be found that matches parameter name 'Signature'.",
              "target": "",
            },
          ],
          "innererror": {
            "message": "Error executing cmdlet",
            "type": "Microsoft.Exchange.Admin.OData.Core.ODataServiceException",
          },
          "message": "Error executing cmdlet",
        },
      }
    `);
    const wrongType = await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'alice@contoso.com',
      AutoAddSignature: 'true',
    });
    expect(wrongType.status).toBe(400);
    expect(detail(wrongType.body)).toBe(
      `Cannot process argument transformation on parameter 'AutoAddSignature'. Cannot convert value to type "System.Boolean".`,
    );
    const missing = await invoke('Get-MailboxMessageConfiguration', {});
    expect(detail(missing.body)).toBe(
      'Cannot process command because of one or more missing mandatory parameters: Identity.',
    );
    const cmdlet = await invoke('Remove-Mailbox', { Identity: 'alice@contoso.com' });
    expect(cmdlet.status).toBe(400);
    expect(detail(cmdlet.body)).toMatch(/^The term 'Remove-Mailbox' is not recognized/);
    expect(state.stats.writesPerUser.size).toBe(0);
  });

  it('reports an unknown identity (and a user without mailbox) as not found', async () => {
    const { invoke } = setup();
    for (const identity of ['ghost@contoso.com', 'bob@contoso.com']) {
      const res = await invoke('Get-MailboxMessageConfiguration', { Identity: identity });
      expect(res.status).toBe(404);
      expect((res.body.error as { details: { message: string }[] }).details[0]!.message).toMatch(
        new RegExp(
          `^Ex[0-9A-F]{6}\\|Microsoft\\.Exchange\\.Configuration\\.Tasks\\.ManagementObjectNotFoundException\\|The operation couldn't be performed because object '${identity}' couldn't be found on '[A-Z0-9.]+'\\.$`,
        ),
      );
    }
  });

  it('returns the organization config', async () => {
    const { invoke, state } = setup();
    const res = await invoke('Get-OrganizationConfig');
    expect(res.body.value).toEqual([
      expect.objectContaining({ Name: 'contoso', PostponeRoamingSignaturesUntilLater: false }),
    ]);
    state.organizationConfig.PostponeRoamingSignaturesUntilLater = true;
    expect((await invoke('Get-OrganizationConfig')).body.value[0]?.PostponeRoamingSignaturesUntilLater).toBe(
      true,
    );
  });

  it('pages Get-Mailbox with Prefer: odata.maxpagesize and nextLink, honouring $select and ResultSize', async () => {
    const { state, invoke } = setup((s) => {
      for (let i = 0; i < 5; i++) {
        const id = `00000000-0000-4000-8000-00000000000${i}`;
        const base = [...s.users.values()][0];
        if (base)
          s.users.set(id, {
            ...base,
            id,
            userPrincipalName: `user${i}@contoso.com`,
            mail: `user${i}@contoso.com`,
          });
      }
    });
    const headers = { prefer: 'odata.maxpagesize=3' };
    const path = `/adminapi/beta/contoso.onmicrosoft.com/InvokeCommand?$select=UserPrincipalName,ExternalDirectoryObjectId`;
    const seen: string[] = [];
    let next: string | undefined = path;
    let pages = 0;
    while (next) {
      const url = new URL(next, 'https://127.0.0.1:4443');
      const page = await invoke(
        'Get-Mailbox',
        { ResultSize: 'Unlimited' },
        { path: url.pathname + url.search, headers },
      );
      expect(page.status).toBe(200);
      for (const m of page.body.value) {
        expect(Object.keys(m).sort()).toEqual(['ExternalDirectoryObjectId', 'UserPrincipalName']);
        seen.push(m.UserPrincipalName as string);
      }
      next = page.body['@odata.nextLink'] as string | undefined;
      pages += 1;
    }
    const withMailbox = [...state.users.values()].filter((u) => u.hasMailbox).map((u) => u.userPrincipalName);
    expect(pages).toBe(3);
    expect(seen).toEqual(withMailbox);

    const limited = await invoke('Get-Mailbox', { ResultSize: 2 });
    expect(limited.body.value).toHaveLength(2);
    const one = await invoke('Get-Mailbox', { Identity: 'cc@contoso.com' });
    expect(one.body.value[0]).toMatchObject({
      PrimarySmtpAddress: 'carol@contoso.com',
      EmailAddresses: ['SMTP:carol@contoso.com', 'smtp:cc@contoso.com'],
    });
    const forged = await invoke(
      'Get-Mailbox',
      { ResultSize: 2 },
      { path: `${path}&$skiptoken=1.0000000000000000` },
    );
    expect(forged.status).toBe(400);
  });

  it('answers with an empty or a non-JSON body at the seeded shares, after running the cmdlet', async () => {
    const { invoke, state } = setup((s) => {
      s.behaviour = { ...defaultBehaviourSettings(), exchangeEmptyBodyShare: 1 };
    });
    const set = await invoke('Set-MailboxMessageConfiguration', {
      Identity: 'alice@contoso.com',
      SignatureText: 'A',
    });
    expect(set).toEqual({ status: 200, body: undefined });
    expect(state.mailboxConfig.get(findUser(state, 'alice@contoso.com')!.id)!.SignatureText).toBe('A');
    state.behaviour = { ...defaultBehaviourSettings(), exchangeNonJsonBodyShare: 1 };
    const get = await invoke('Get-MailboxMessageConfiguration', { Identity: 'alice@contoso.com' });
    expect(get).toEqual({ status: 200, body: '<html><body>OK</body></html>' });
    state.behaviour = {
      ...defaultBehaviourSettings(),
      exchangeEmptyBodyShare: 0.3,
      exchangeNonJsonBodyShare: 0.3,
    };
    const bodies = await Promise.all(
      Array.from({ length: 200 }, () => invoke('Get-OrganizationConfig').then((r) => typeof r.body)),
    );
    const count = (t: string) => bodies.filter((b) => b === t).length;
    expect([count('undefined'), count('string'), count('object')].every((n) => n > 30)).toBe(true);
  });

  it('requires the tenant and JSON', async () => {
    const { invoke } = setup();
    expect(
      (
        await invoke('Get-OrganizationConfig', undefined, {
          path: '/adminapi/beta/fabrikam.onmicrosoft.com/InvokeCommand',
        })
      ).status,
    ).toBe(404);
    expect(
      (await invoke('Get-OrganizationConfig', undefined, { headers: { 'content-type': 'text/plain' } }))
        .status,
    ).toBe(415);
  });

  it('accepts every observed X-AnchorMailbox form, and none (no source says it is required)', async () => {
    const { invoke, state } = setup();
    for (const anchor of [
      ANCHOR,
      `APP:SystemMailbox{${SYSTEM_MAILBOX_GUID}}@${state.tenantId}`,
      'UPN:SystemMailbox{8cc370d3-822a-4ab8-a926-bb94bd0641a9}@contoso.onmicrosoft.com',
      'alice@contoso.com',
      undefined,
    ]) {
      const res = await invoke('Get-OrganizationConfig', undefined, {
        headers: { 'x-anchormailbox': anchor },
      });
      expect(res.status, String(anchor)).toBe(200);
    }
  });
});

describe('normalizeSignatureHtml', () => {
  it.each([
    ['<p onmouseover=x()>Hi</p>', '<html><body><p>Hi</p></body></html>'],
    ['<img src="JaVaScRiPt:evil()" alt=a/>', '<html><body><img alt=a /></body></html>'],
    ['<html><body><SCRIPT src=x></SCRIPT><b>x</b></body></html>', '<html><body><b>x</b></body></html>'],
    ['a\r\nb\nc', '<html><body>a\r\nb\r\nc</body></html>'],
    ['   ', ''],
    [
      '<a href="https://contoso.com/?q=on">ok</a>',
      '<html><body><a href="https://contoso.com/?q=on">ok</a></body></html>',
    ],
  ])('%j → %j', (input, expected) => {
    expect(normalizeSignatureHtml(input)).toBe(expected);
    expect(normalizeSignatureHtml(normalizeSignatureHtml(input))).toBe(expected);
  });
});
