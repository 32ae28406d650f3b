import { describeCredential } from '../adapters/azure/credentials.js';
import type { MicrosoftAdapters } from '../adapters/create-microsoft-adapters.js';
import type { CredentialInfo } from '../doctor/check-tokens.js';
import type { DoctorTenant } from '../doctor/run-doctor.js';

type Env = Record<string, string | undefined>;

/** The preflight's view of Microsoft adapters already made (the controller's runtime). */
export function preflightPorts(
  env: Env,
  microsoft: MicrosoftAdapters,
): { credential: CredentialInfo; tenant: DoctorTenant } {
  const kind = microsoft.credentialKind;
  return {
    credential: kind
      ? { ok: true, ...describeCredential(kind, env) }
      : { ok: true, description: 'a credential passed in by the embedding program' },
    tenant: {
      access: microsoft.tenantAccess,
      directory: microsoft.directory,
      orgSettings: microsoft.orgSettings,
      groupMembers: microsoft.groupMembers,
    },
  };
}
