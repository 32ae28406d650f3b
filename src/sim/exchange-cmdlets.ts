import { createHash } from 'node:crypto';
import { findMailboxUser } from './find-user.js';
import { normalizeSignatureHtml } from './exchange-signature-html.js';
import { propagationOf } from './propagation.js';
import { emptyMailboxConfig } from './seed.js';
import type { SimContext, SimRequest, SimResponse, SimState, SimUser } from './types.js';

/**
 * The cmdlets the simulated Exchange admin API runs, with PowerShell's parameter binding rules:
 * https://learn.microsoft.com/powershell/module/exchange/get-mailboxmessageconfiguration
 * https://learn.microsoft.com/powershell/module/exchange/set-mailboxmessageconfiguration
 * https://learn.microsoft.com/powershell/module/exchange/get-organizationconfig
 * https://learn.microsoft.com/powershell/module/exchange/get-mailbox
 */

/** PowerShell's default `-ResultSize` for Get-Mailbox. */
const DEFAULT_RESULT_SIZE = 1000;

export type ParamType = 'string' | 'boolean' | 'resultSize';
/** A cmdlet's parameters (canonical case) and what it does with them. */
export interface Cmdlet {
  params: Record<string, ParamType>;
  required: string[];
  run(params: Record<string, unknown>, ctx: InvokeContext): CmdletResult;
}
/** What a cmdlet returns: the objects, warnings, or an error. */
export type CmdletResult =
  { value: Record<string, unknown>[]; warnings?: string[]; pageable?: boolean } | { error: SimResponse };
/** Per-invocation data a cmdlet needs. */
export interface InvokeContext {
  req: SimRequest;
  sim: SimContext;
}

/** An `Ex` code as the service prefixes cmdlet errors with (e.g. `Ex6F9304`), fixed per exception type. */
function exCode(exceptionType: string): string {
  return `Ex${createHash('sha256').update(exceptionType).digest('hex').slice(0, 6).toUpperCase()}`;
}

/**
 * Exchange's error envelope as observed (docs/microsoft-365.md#exo-errors): `error.message` is the
 * generic "Error executing cmdlet", the cmdlet's own text is in `details[].message` in the form
 * `{code}|{exception type}|{message}`, and `innererror` carries no `internalException`.
 */
export function exchangeError(
  req: SimRequest,
  status: number,
  code: string,
  message: string,
  exceptionType = 'System.Management.Automation.RuntimeException',
): SimResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'request-id': req.requestId },
    body: {
      error: {
        code,
        message: 'Error executing cmdlet',
        details: [
          { code: 'Context', target: '', message: `${exCode(exceptionType)}|${exceptionType}|${message}` },
        ],
        innererror: {
          message: 'Error executing cmdlet',
          type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        },
      },
    },
  };
}

function notFound(ctx: InvokeContext, identity: string): CmdletResult {
  return {
    error: exchangeError(
      ctx.req,
      404,
      'NotFound',
      `The operation couldn't be performed because object '${identity}' couldn't be found on '${serverName(ctx.sim.state)}'.`,
      'Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException',
    ),
  };
}

function serverName(state: SimState): string {
  const tag = state.tenantId.replace(/-/g, '').slice(0, 6).toUpperCase();
  return `SIM${tag}A001.PROD.OUTLOOK.COM`;
}

/** What `Get-MailboxMessageConfiguration` shows: a recent `Set` may not have propagated yet. */
function configObject(user: SimUser, state: SimState, now: number): Record<string, unknown> {
  const current = state.mailboxConfig.get(user.id);
  const lag = propagationOf(state, () => now);
  const cfg = (lag ? lag.seen('signature', user.id, current) : current) ?? emptyMailboxConfig();
  return { Identity: user.id, MailboxOwnerId: user.id, ...cfg, IsValid: true, ObjectState: 'Unchanged' };
}

function mailboxObject(user: SimUser): Record<string, unknown> {
  const primary = user.mail ?? user.userPrincipalName;
  const others = user.proxyAddresses.filter(
    (p) => p.replace(/^smtp:/i, '').toLowerCase() !== primary.toLowerCase(),
  );
  return {
    Identity: user.id,
    Name: user.id,
    Alias: user.userPrincipalName.split('@')[0] ?? '',
    DisplayName: user.displayName ?? '',
    PrimarySmtpAddress: primary,
    UserPrincipalName: user.userPrincipalName,
    ExternalDirectoryObjectId: user.id,
    EmailAddresses: [`SMTP:${primary}`, ...others],
    RecipientTypeDetails: 'UserMailbox',
  };
}

const SIGNATURE_STRINGS = ['SignatureHtml', 'SignatureText', 'SignatureTextOnMobile'] as const;
const SIGNATURE_FLAGS = [
  'AutoAddSignature',
  'AutoAddSignatureOnReply',
  'AutoAddSignatureOnMobile',
  'UseDefaultSignatureOnMobile',
] as const;
/**
 * Settings that do not take effect while roaming signatures are on
 * (docs/microsoft-365.md#exo-message-configuration).
 */
const ROAMING_SENSITIVE = [
  'SignatureHtml',
  'SignatureText',
  'SignatureTextOnMobile',
  'AutoAddSignature',
  'AutoAddSignatureOnMobile',
];

export const exchangeCmdlets: Record<string, Cmdlet> = {
  'Get-MailboxMessageConfiguration': {
    params: { Identity: 'string' },
    required: ['Identity'],
    run(params, ctx) {
      const identity = params.Identity as string;
      const user = findMailboxUser(ctx.sim.state, identity);
      if (!user) return notFound(ctx, identity);
      return { value: [configObject(user, ctx.sim.state, ctx.sim.now())] };
    },
  },
  'Set-MailboxMessageConfiguration': {
    params: {
      Identity: 'string',
      ...Object.fromEntries(SIGNATURE_STRINGS.map((n) => [n, 'string' as const])),
      ...Object.fromEntries(SIGNATURE_FLAGS.map((n) => [n, 'boolean' as const])),
      Confirm: 'boolean',
    },
    required: ['Identity'],
    run(params, ctx) {
      const identity = params.Identity as string;
      const state = ctx.sim.state;
      const user = findMailboxUser(state, identity);
      if (!user) return notFound(ctx, identity);
      propagationOf(state, () => ctx.sim.now())?.wrote(
        'signature',
        user.id,
        state.mailboxConfig.get(user.id),
      );
      const cfg = { ...(state.mailboxConfig.get(user.id) ?? emptyMailboxConfig()) };
      for (const name of SIGNATURE_STRINGS) {
        if (!(name in params)) continue;
        const v = (params[name] as string | null) ?? '';
        cfg[name] = name === 'SignatureHtml' ? normalizeSignatureHtml(v) : v;
      }
      for (const name of SIGNATURE_FLAGS) if (name in params) cfg[name] = params[name] as boolean;
      state.mailboxConfig.set(user.id, cfg);
      state.stats.writesPerUser.set(user.id, (state.stats.writesPerUser.get(user.id) ?? 0) + 1);
      state.stats.signatureWrites?.push({
        at: ctx.sim.now(),
        userId: user.id,
        userPrincipalName: user.userPrincipalName,
      });
      const touched = ROAMING_SENSITIVE.filter((n) => n in params);
      const warnings =
        touched.length > 0 && !state.organizationConfig.PostponeRoamingSignaturesUntilLater
          ? [
              // SIMULATOR BEHAVIOUR: Exchange does not document such a warning; the simulator
              // says aloud what the docs say silently happens.
              `The settings ${touched.join(', ')} won't take effect in Outlook because roaming signatures are enabled for this organization (PostponeRoamingSignaturesUntilLater is False).`,
            ]
          : undefined;
      return { value: [], ...(warnings ? { warnings } : {}) };
    },
  },
  'Get-OrganizationConfig': {
    params: {},
    required: [],
    run(_params, ctx) {
      const org = ctx.sim.state.organizationConfig;
      return { value: [{ Identity: org.Name, DisplayName: org.Name, ...org, IsValid: true }] };
    },
  },
  'Get-Mailbox': {
    params: { Identity: 'string', ResultSize: 'resultSize' },
    required: [],
    run(params, ctx) {
      const state = ctx.sim.state;
      if (typeof params.Identity === 'string') {
        const user = findMailboxUser(state, params.Identity);
        if (!user) return notFound(ctx, params.Identity);
        return { value: [mailboxObject(user)] };
      }
      const all = [...state.users.values()].filter((u) => u.hasMailbox);
      const size = params.ResultSize ?? DEFAULT_RESULT_SIZE;
      const limit = size === 'Unlimited' ? all.length : Math.min(size as number, all.length);
      const warnings =
        params.ResultSize === undefined && all.length > DEFAULT_RESULT_SIZE
          ? [
              'By default only the first 1000 items are returned. Use the ResultSize parameter to specify the number of items returned. To return all items specify "-ResultSize Unlimited".',
            ]
          : undefined;
      return {
        value: all.slice(0, limit).map(mailboxObject),
        pageable: true,
        ...(warnings ? { warnings } : {}),
      };
    },
  },
};
