import {
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
  type TokenCredential,
} from '@azure/identity';
import { ConfigError } from '../../errors/roster-error.js';

/** Microsoft's public-cloud authority: the only host MSAL's hard-coded instance discovery knows. */
export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export type CredentialKind =
  'client-secret' | 'client-certificate' | 'workload-identity' | 'managed-identity';

/** The credential picked from the environment, and which kind it is (for logs; never the secret). */
export interface SelectedCredential {
  credential: TokenCredential;
  kind: CredentialKind;
  authorityHost: string;
}

type Env = Record<string, string | undefined>;

/**
 * The authority host from `AZURE_AUTHORITY_HOST`: an https URL (MSAL refuses anything else), kept
 * origin-only. https://learn.microsoft.com/javascript/api/@azure/identity/azureauthorityhosts
 */
export function authorityHostFrom(env: Env): string {
  const raw = env.AZURE_AUTHORITY_HOST?.trim();
  if (!raw) return DEFAULT_AUTHORITY_HOST;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw envProblem('AZURE_AUTHORITY_HOST', 'is not a URL');
  }
  if (url.protocol !== 'https:') throw envProblem('AZURE_AUTHORITY_HOST', 'must be an https:// URL');
  return url.origin;
}

/**
 * The `DefaultAzureCredential` chain, decided up front from `env` (not `process.env`, and without
 * the developer-tool credentials a server has no use for): client secret → certificate →
 * workload identity → managed identity.
 * https://learn.microsoft.com/azure/developer/javascript/sdk/authentication/credential-chains
 */
export function selectCredential(env: Env): SelectedCredential {
  const authorityHost = authorityHostFrom(env);
  // MSAL asks login.microsoftonline.com about any other authority unless told not to
  // (docs/microsoft-365.md#token-authority-host).
  const common = {
    authorityHost,
    ...(authorityHost === DEFAULT_AUTHORITY_HOST ? {} : { disableInstanceDiscovery: true }),
  };
  const tenantId = env.AZURE_TENANT_ID?.trim();
  const clientId = env.AZURE_CLIENT_ID?.trim();
  const secret = env.AZURE_CLIENT_SECRET;
  const certificatePath = env.AZURE_CLIENT_CERTIFICATE_PATH?.trim();
  const tokenFilePath = env.AZURE_FEDERATED_TOKEN_FILE?.trim();
  if ((secret || certificatePath) && (!tenantId || !clientId)) {
    throw envProblem(
      !tenantId ? 'AZURE_TENANT_ID' : 'AZURE_CLIENT_ID',
      'is required with AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH',
    );
  }
  if (tenantId && clientId && secret) {
    return {
      kind: 'client-secret',
      authorityHost,
      credential: new ClientSecretCredential(tenantId, clientId, secret, common),
    };
  }
  if (tenantId && clientId && certificatePath) {
    const password = env.AZURE_CLIENT_CERTIFICATE_PASSWORD;
    const credential = new ClientCertificateCredential(
      tenantId,
      clientId,
      password ? { certificatePath, certificatePassword: password } : { certificatePath },
      { ...common, sendCertificateChain: env.AZURE_CLIENT_SEND_CERTIFICATE_CHAIN === 'true' },
    );
    return { kind: 'client-certificate', authorityHost, credential };
  }
  if (tokenFilePath) {
    const credential = new WorkloadIdentityCredential({
      ...common,
      ...(tenantId ? { tenantId } : {}),
      ...(clientId ? { clientId } : {}),
      tokenFilePath,
    });
    return { kind: 'workload-identity', authorityHost, credential };
  }
  const credential = clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential();
  return { kind: 'managed-identity', authorityHost, credential };
}

/** The credential Roster authenticates with, from the standard `AZURE_*` variables. */
export function createCredential(env: Env): TokenCredential {
  return selectCredential(env).credential;
}

function envProblem(key: string, message: string): ConfigError {
  return new ConfigError([{ file: 'environment', key, message: `${key} ${message}`, severity: 'error' }]);
}

/** What `roster doctor` says of the chosen credential: which variables chose it; never a value. */
export interface CredentialDescription {
  description: string;
  /** Only for a managed identity: it is what is left when nothing else is configured. */
  fallback?: { message: string; fix: string };
}

const NOT_SET = 'AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH and AZURE_FEDERATED_TOKEN_FILE';

export function describeCredential(kind: CredentialKind, env: Env): CredentialDescription {
  const app = env.AZURE_CLIENT_ID?.trim();
  const tenant = env.AZURE_TENANT_ID?.trim();
  const of = `${app ? ` of app ${app}` : ''}${tenant ? ` in tenant ${tenant}` : ''}`;
  switch (kind) {
    case 'client-secret':
      return { description: `client secret (AZURE_CLIENT_SECRET)${of}` };
    case 'client-certificate':
      return { description: `certificate (AZURE_CLIENT_CERTIFICATE_PATH)${of}` };
    case 'workload-identity':
      return { description: `workload identity federation (AZURE_FEDERATED_TOKEN_FILE)${of}` };
    case 'managed-identity':
      return {
        description: `managed identity${app ? ` (user-assigned, AZURE_CLIENT_ID ${app})` : ''}: ${NOT_SET} are not set`,
        fallback: {
          message: `${NOT_SET} are not set, so Roster asked for a managed identity${app ? ` with client id ${app}` : ''}, and none answered here`,
          fix:
            'set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_CERTIFICATE_PATH (or AZURE_CLIENT_SECRET, or AZURE_FEDERATED_TOKEN_FILE), ' +
            'or run Roster where its managed identity is assigned',
        },
      };
  }
}
