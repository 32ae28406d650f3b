import type { TokenCredential } from '@azure/identity';
import type { RateLimitSettings } from '../config/settings.js';
import type { ApiMetrics, ApiName } from '../http/api-metrics.js';
import { createApiLimiters, type ApiLimiters } from '../http/api-limiters.js';
import { createSystemClock, type Clock } from '../http/clock.js';
import { createHttpClient, type DebugLogger, type TokenProvider } from '../http/http-client.js';
import { retryPolicyFrom } from '../http/retry-policy.js';
import type { DirectoryPort } from '../ports/directory.js';
import type { OrgSettingsPort } from '../ports/org-settings.js';
import type { LearnedPace } from '../ports/pacing-store.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import type { TenantAccessPort } from '../ports/tenant-access.js';
import { describeCredential, selectCredential, type CredentialKind } from './azure/credentials.js';
import { readMicrosoftEndpoints } from './azure/endpoints.js';
import { readTokenClaims } from './azure/token-claims.js';
import { createTokenSource, EXCHANGE_SCOPE, GRAPH_SCOPE } from './azure/token-source.js';
import { createExchangeClient } from './exchange/exchange-client.js';
import { createExchangeOrgSettings } from './exchange/exchange-org-settings.js';
import { createExchangeSignatures } from './exchange/exchange-signatures.js';
import { createGraphDirectory } from './graph/graph-directory.js';
import { createGraphGroupMembers } from './graph/graph-group-members.js';
import type { GroupMembersPort } from '../ports/group-members.js';
import { createGraphPhotoSettings } from './graph/graph-photo-settings.js';
import { createGraphPhotos } from './graph/graph-photos.js';
import { createGraphTenantReads } from './graph/graph-tenant-reads.js';

/** What the composition root hands over to reach a tenant. */
export interface MicrosoftAdaptersOptions {
  /** `AZURE_*`, `ROSTER_GRAPH_URL`, `ROSTER_EXCHANGE_URL`. */
  env: Record<string, string | undefined>;
  tenant: { id: string; domain: string };
  /** Optional ceilings (and the retry policy). */
  rateLimits: RateLimitSettings;
  /** What earlier runs learned of each API's pace (`loadLearnedPacing`); none: a cautious start. */
  learnedPacing?: readonly LearnedPace[];
  /** Replaces the credential chosen from `env` (tests, embedding). */
  credential?: TokenCredential;
  clock?: Clock;
  metrics?: ApiMetrics;
  logger?: DebugLogger;
  /** Per attempt; default 60 s (photo uploads of up to 4 MB included). */
  timeoutMs?: number;
}

/** The four ports over Microsoft 365, sharing one limiter per API. */
export interface MicrosoftAdapters {
  directory: DirectoryPort;
  /** Group members, for campaigns that target a group. */
  groupMembers: GroupMembersPort;
  photos: PhotosPort;
  signatures: SignaturesPort;
  orgSettings: OrgSettingsPort;
  /** The preflight's read-only questions (`roster doctor`). */
  tenantAccess: TenantAccessPort;
  limiters: ApiLimiters;
  /** Which credential the environment selected (undefined when one was passed in). */
  credentialKind: CredentialKind | undefined;
}

export function createMicrosoftAdapters(options: MicrosoftAdaptersOptions): MicrosoftAdapters {
  const clock = options.clock ?? createSystemClock();
  const endpoints = readMicrosoftEndpoints(options.env);
  const selected = options.credential ? undefined : selectCredential(options.env);
  const credential = options.credential ?? selected!.credential;
  const limiters = createApiLimiters(options.rateLimits, clock, options.learnedPacing);
  const retry = retryPolicyFrom(options.rateLimits);
  // A credential of our own can be made anew (with an empty cache) when the service refuses a token.
  const tokenOptions = selected
    ? {
        renewCredential: () => selectCredential(options.env).credential,
        ...explainCredential(selected.kind, options.env),
      }
    : {};
  const graphTokens = createTokenSource(credential, GRAPH_SCOPE, clock, tokenOptions);
  const exchangeTokens = createTokenSource(credential, EXCHANGE_SCOPE, clock, tokenOptions);
  const client = (api: ApiName, baseUrl: string, tokens: TokenProvider) =>
    createHttpClient({
      service: api === 'exchange' ? 'exchange' : 'graph',
      api,
      baseUrl,
      tokens,
      limiter: limiters[api],
      retry,
      clock,
      timeoutMs: options.timeoutMs ?? 60_000,
      ...(options.metrics ? { metrics: options.metrics } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    });
  const exchange = createExchangeClient(
    client('exchange', endpoints.exchangeUrl, exchangeTokens),
    options.tenant,
  );
  return {
    directory: createGraphDirectory(client('graph', endpoints.graphUrl, graphTokens)),
    groupMembers: createGraphGroupMembers(client('graph', endpoints.graphUrl, graphTokens)),
    photos: createGraphPhotos(client('graph-photos', endpoints.graphUrl, graphTokens)),
    signatures: createExchangeSignatures(exchange),
    orgSettings: {
      ...createExchangeOrgSettings(exchange),
      getPhotoUpdateSettings: createGraphPhotoSettings(client('graph', endpoints.graphBetaUrl, graphTokens)),
    },
    tenantAccess: {
      tokenClaims: (api) => readTokenClaims(api === 'graph' ? graphTokens : exchangeTokens, api),
      ...createGraphTenantReads(client('graph', endpoints.graphUrl, graphTokens)),
      // The same cmdlet with the tenant named by its domain: only the preflight addresses it so.
      async checkExchangeByDomain() {
        const byDomain = { id: options.tenant.domain, domain: options.tenant.domain };
        const exchangeByDomain = createExchangeClient(
          client('exchange', endpoints.exchangeUrl, exchangeTokens),
          byDomain,
        );
        await exchangeByDomain.invoke('Get-OrganizationConfig', {}, { select: ['Identity'] });
      },
    },
    limiters,
    credentialKind: selected?.kind,
  };
}

/**
 * A managed identity is what is left when no credential variable is set: when it does not answer,
 * the token error names the variables (as `roster doctor` does) before the library's own text.
 */
function explainCredential(
  kind: CredentialKind,
  env: Record<string, string | undefined>,
): { explainFailure?: (detail: string) => string } {
  const fallback = describeCredential(kind, env).fallback;
  if (!fallback) return {};
  return { explainFailure: (detail) => `${fallback.message} (${detail}); ${fallback.fix}` };
}
