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
