import { X509Certificate, createHash, randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { EXCHANGE_AUDIENCE, GRAPH_AUDIENCE, type AccessTokens, type SimAudience } from './access-tokens.js';
import { headerValue } from './graph-errors.js';
import type { SimApp, SimContext, SimFaults, SimRequest, SimResponse, SimRoute, SimState } from './types.js';

/**
 * The Microsoft identity platform's client-credentials flow:
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow
 */
export interface IdentityDeps {
  tokens: AccessTokens;
  faults: SimFaults;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** Resource identifiers (URI or app id) → audience of the token. */
const RESOURCES: Record<string, SimAudience> = {
  'https://graph.microsoft.com': GRAPH_AUDIENCE,
  '00000003-0000-0000-c000-000000000000': GRAPH_AUDIENCE,
  'https://outlook.office365.com': EXCHANGE_AUDIENCE,
  '00000002-0000-0ff1-ce00-000000000000': EXCHANGE_AUDIENCE,
};

/** `GUID`, the initial domain, or another verified domain names the tenant. */
export function tenantMatches(state: SimState, tenant: string): boolean {
  const t = decodeURIComponent(tenant).toLowerCase();
  return (
    t === state.tenantId ||
    t === state.tenantDomain.toLowerCase() ||
    state.domains.some((d) => d.toLowerCase() === t)
  );
}

/**
 * The error body the token endpoint returns:
 * https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#error-response
 */
export function identityError(
  req: SimRequest,
  status: number,
  error: string,
  code: number,
  text: string,
): SimResponse {
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z');
  const correlationId = headerValue(req, 'client-request-id') ?? randomUUID();
  return {
    status,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store, no-cache',
      pragma: 'no-cache',
    },
    body: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${req.requestId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: req.requestId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function tenantNotFound(req: SimRequest, tenant: string): SimResponse {
  const text = `Tenant '${decodeURIComponent(tenant)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`;
  return identityError(req, 400, 'invalid_request', 90002, text);
}

function json(body: unknown): SimResponse {
  return { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body };
}

/** The OpenID Provider configuration MSAL reads for a non-Microsoft authority host. */
function openIdConfiguration(origin: string, tenantId: string) {
  const base = `${origin}/${tenantId}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/v2.0`,
    request_uri_parameter_supported: false,
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'ver'],
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
  };
}

/** Checks a client assertion (private_key_jwt) against the app's registered certificate. */
async function assertionProblem(
  app: SimApp,
  assertion: string,
  tokenUrls: string[],
): Promise<string | undefined> {
  if (!app.certificatePem) return `The client '${app.clientId}' has no configured keys.`;
  let header;
  try {
    header = decodeProtectedHeader(assertion);
  } catch {
    return 'The client assertion is not a valid JWT.';
  }
  if (header.alg !== 'RS256' && header.alg !== 'PS256')
    return `Client assertion algorithm '${String(header.alg)}' is not supported.`;
  const cert = new X509Certificate(app.certificatePem);
  const s256 = createHash('sha256').update(cert.raw).digest('base64url');
  const s1 = createHash('sha1').update(cert.raw).digest('base64url');
  const thumbprint = header['x5t#S256'] ?? header.x5t;
  if (thumbprint !== s256 && thumbprint !== s1) {
    return `The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '${String(thumbprint)}']`;
  }
  try {
    // The assertion is minted on the client's wall clock, which `advanceClock` does not move.
    await jwtVerify(assertion, cert.publicKey, {
      algorithms: [header.alg],
      audience: tokenUrls,
      issuer: app.clientId,
      subject: app.clientId,
      requiredClaims: ['exp', 'nbf', 'jti'],
      clockTolerance: 300,
      maxTokenAge: '1 day',
    });
    return undefined;
  } catch (error) {
    return `Client assertion failed validation: ${error instanceof Error ? error.message : 'invalid'}.`;
  }
}

async function token(
  req: SimRequest,
  tenant: string,
  sim: SimContext,
  deps: IdentityDeps,
): Promise<SimResponse> {
  const { state } = sim;
  if (deps.faults.tokenOutage(sim.now())) {
    const res = identityError(
      req,
      503,
      'temporarily_unavailable',
      90033,
      'A transient error has occurred. Please try again.',
    );
    return { ...res, headers: { ...res.headers, 'retry-after': '5' } };
  }
  if (!tenantMatches(state, tenant)) return tenantNotFound(req, tenant);
  const form = new URLSearchParams(req.body.toString('utf8'));
  const grantType = form.get('grant_type');
  if (!grantType)
    return identityError(
      req,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'grant_type'.",
    );
  if (grantType !== 'client_credentials') {
    return identityError(
      req,
      400,
      'unsupported_grant_type',
      70003,
      'The app requested an unsupported grant type.',
    );
  }
  const clientId = form.get('client_id')?.toLowerCase();
  if (!clientId)
    return identityError(
      req,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'client_id'.",
    );
  const scope = form.get('scope');
  if (!scope)
    return identityError(
      req,
      400,
      'invalid_request',
      900144,
      "The request body must contain the following parameter: 'scope'.",
    );
  const app = state.apps.find((a) => a.clientId === clientId);
  if (!app) {
    const text = `Application with identifier '${clientId}' was not found in the directory '${state.tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`;
    return identityError(req, 400, 'unauthorized_client', 700016, text);
  }
  const scopes = scope.trim().split(/\s+/);
  const resources = new Set(scopes.map((s) => s.replace(/\/+[^/]*$/, '').toLowerCase()));
  if (resources.size > 1) {
    return identityError(
      req,
      400,
      'invalid_scope',
      28000,
      'Provided value for the input parameter scope is not valid because it contains more than one resource.',
    );
  }
  const only = scopes[0] ?? '';
  if (scopes.length !== 1 || !/\/\.default$/.test(only)) {
    return identityError(
      req,
      400,
      'invalid_scope',
      1002012,
      `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
    );
  }
  const audience = RESOURCES[only.replace(/\/+\.default$/, '').toLowerCase()];
  if (!audience) {
    const text = `The resource principal named ${only.replace(/\/+\.default$/, '')} was not found in the tenant named ${state.tenantDomain}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`;
    return identityError(req, 400, 'invalid_resource', 500011, text);
  }
  const secret = form.get('client_secret');
  const assertion = form.get('client_assertion');
  let viaCertificate = false;
  if (assertion !== null) {
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) {
      return identityError(
        req,
        400,
        'invalid_request',
        50027,
        "Invalid JWT token. The 'client_assertion_type' must be 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'.",
      );
    }
    const urls = [...new Set([tenant, state.tenantId])].map((t) => `${sim.origin}/${t}/oauth2/v2.0/token`);
    const problem = await assertionProblem(app, assertion, urls);
    if (problem) return identityError(req, 401, 'invalid_client', 700027, problem);
    viaCertificate = true;
  } else if (secret !== null) {
    if (!app.clientSecret || secret !== app.clientSecret) {
      const text = `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`;
      return identityError(req, 401, 'invalid_client', 7000215, text);
    }
  } else {
    return identityError(
      req,
      401,
      'invalid_client',
      7000218,
      "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    );
  }
  const issued = await deps.tokens.issue(state, app, audience, sim.now(), viaCertificate);
  return {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store, no-cache',
      pragma: 'no-cache',
    },
    body: {
      token_type: 'Bearer',
      expires_in: issued.expiresIn,
      ext_expires_in: issued.expiresIn,
      access_token: issued.token,
    },
  };
}

/** The identity platform's routes (OIDC discovery, instance discovery, JWKS, token). */
export function identityRoutes(deps: IdentityDeps): SimRoute[] {
  return [
    {
      // https://learn.microsoft.com/entra/identity-platform/v2-protocols-oidc#find-your-apps-openid-configuration-document-uri
      service: 'identity',
      method: 'GET',
      pattern: /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/,
      name: '/{tenant}/v2.0/.well-known/openid-configuration',
      handle(req, m, sim) {
        const tenant = m[1] ?? '';
        if (!tenantMatches(sim.state, tenant)) {
          const res = tenantNotFound(req, tenant);
          return { ...res, body: { ...(res.body as object), error: 'invalid_tenant' } };
        }
        return json(openIdConfiguration(sim.origin, sim.state.tenantId));
      },
    },
    {
      // MSAL's instance discovery (https://learn.microsoft.com/entra/identity-platform/msal-national-cloud).
      service: 'identity',
      method: 'GET',
      pattern: /^\/common\/discovery\/instance$/,
      name: '/common/discovery/instance',
      handle(_req, _m, sim) {
        const host = new URL(sim.origin).host;
        return json({
          tenant_discovery_endpoint: `${sim.origin}/${sim.state.tenantId}/v2.0/.well-known/openid-configuration`,
          'api-version': '1.1',
          metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
        });
      },
    },
    {
      // https://learn.microsoft.com/entra/identity-platform/access-tokens#validate-the-signature
      service: 'identity',
      method: 'GET',
      pattern: /^\/([^/]+)\/discovery\/v2\.0\/keys$/,
      name: '/{tenant}/discovery/v2.0/keys',
      handle: () => json(deps.tokens.jwks()),
    },
    {
      // https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow#get-a-token
      service: 'identity',
      method: 'POST',
      pattern: /^\/([^/]+)\/oauth2\/v2\.0\/token$/,
      name: '/{tenant}/oauth2/v2.0/token',
      handle: (req, m, sim) => token(req, m[1] ?? '', sim, deps),
    },
  ];
}
