import { selectCredential } from '../adapters/azure/credentials.js';
import { createMicrosoftAdapters } from '../adapters/create-microsoft-adapters.js';
import type { DesiredConfig } from '../config/settings.js';
import type { CredentialInfo } from '../doctor/check-tokens.js';
import type { DoctorDeps, DoctorTenant } from '../doctor/run-doctor.js';
import { RosterError } from '../errors/roster-error.js';
import type { DebugLogger } from '../http/http-client.js';
import type { HrSource } from '../ports/hr-source.js';
import { openHrSource, type Env } from './open-runtime.js';
import { preflightPorts } from './preflight-ports.js';

/** An HR source that could not even be set up (no DATABASE_URL): every read says why. */
function unavailableHrSource(error: unknown): HrSource {
  return {
    // eslint-disable-next-line require-yield
    async *readActive() {
      throw error;
    },
    checkQuery: () => Promise.reject(error),
    openSnapshot: () => Promise.reject(error),
    close: () => Promise.resolve(),
  };
}

function problemText(error: unknown): string {
  if (error instanceof RosterError) return error.message;
  throw error;
}

/**
 * What `roster doctor` runs on: the HR source and the Microsoft adapters from the environment,
 * and no state database (the preflight saves nothing, and migrates nothing). A missing variable
 * becomes a finding instead of stopping the checks that do not need it.
 */
export function openDoctorRuntime(options: { config: DesiredConfig; env: Env; logger?: DebugLogger }): {
  deps: DoctorDeps;
  close(): Promise<void>;
} {
  const { config, env } = options;
  let hrSource: HrSource;
  try {
    hrSource = openHrSource(config, env);
  } catch (error) {
    hrSource = unavailableHrSource(error);
  }
  let credential: CredentialInfo;
  let tenant: DoctorTenant | undefined;
  try {
    selectCredential(env);
    const microsoft = createMicrosoftAdapters({
      env,
      tenant: config.settings.tenant,
      rateLimits: config.settings.rateLimits,
      ...(options.logger ? { logger: options.logger } : {}),
    });
    ({ credential, tenant } = preflightPorts(env, microsoft));
  } catch (error) {
    credential = {
      ok: false,
      message: problemText(error),
      fix: 'set the AZURE_* variables of one credential (docs/azure-setup.md, step 5), or fix the variable named',
    };
  }
  return {
    deps: { config, credential, ...(tenant ? { tenant } : {}), hrSource },
    close: () => hrSource.close(),
  };
}
