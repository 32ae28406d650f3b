import { rename, rm, writeFile } from 'node:fs/promises';
import type { Simulator } from '../sim/simulator.js';
import type { ExampleHrDatabase } from '../local/example-hr-database.js';

/** A value as POSIX sh reads it back unchanged: bare when plain, else in single quotes. */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * Every variable Roster needs to run against the simulator (and the example HR database, when
 * served). The client secret is the seed's demo secret, valid nowhere but here: printing it is
 * the point. The control plane's origin is never part of it.
 */
export function simEnvironment(sim: Simulator, hr?: ExampleHrDatabase): Record<string, string> {
  const app = sim.state.apps[0];
  return {
    ...(hr ? { DATABASE_URL: hr.url } : {}),
    AZURE_AUTHORITY_HOST: sim.origin,
    AZURE_TENANT_ID: sim.state.tenantId,
    ...(app ? { AZURE_CLIENT_ID: app.clientId } : {}),
    ...(app?.clientSecret ? { AZURE_CLIENT_SECRET: app.clientSecret } : {}),
    ROSTER_GRAPH_URL: sim.origin,
    ROSTER_EXCHANGE_URL: sim.origin,
    NODE_EXTRA_CA_CERTS: sim.caPath,
  };
}

/** The environment as a block a shell can source (`. FILE`) or a user can paste. */
export function envBlock(env: Record<string, string>): string {
  const notes = [
    '# Roster against the local tenant simulator: paste these lines, or `. FILE` with --env-out FILE.',
    ...(env.AZURE_CLIENT_SECRET
      ? ["# AZURE_CLIENT_SECRET is the seed's demo secret: valid only against this simulator."]
      : [
          '# The seed gives the first app no client secret: set AZURE_CLIENT_CERTIFICATE_PATH to its certificate.',
        ]),
    ...(env.DATABASE_URL
      ? []
      : ['# DATABASE_URL is your HR database; `roster sim --hr` serves one with the example HR data.']),
  ];
  const lines = Object.entries(env).map(([name, value]) => `export ${name}=${shellQuote(value)}`);
  return [...notes, ...lines, ''].join('\n');
}

/** What `roster sim` prints: where everything runs, then the environment block. */
export function describeSimulator(sim: Simulator, hr?: ExampleHrDatabase): string {
  const hrLine = hr
    ? [
        `HR database: ${hr.kind === 'server' ? "the machine's PostgreSQL" : 'embedded PostgreSQL (PGlite)'} with the example HR data, ${hr.employees} employees in ${hr.offices} offices`,
      ]
    : [];
  return [
    `tenant simulator listening on ${sim.origin}`,
    `control plane (/_sim: state, drift, faults, hidden budget; for tests, never for Roster): ${sim.controlOrigin}`,
    `budget seed: ${sim.hiddenBudget().seed}`,
    `CA certificate: ${sim.caPath}`,
    `tenant id: ${sim.state.tenantId} (${sim.state.tenantDomain}; domains ${sim.state.domains.join(', ') || 'none'})`,
    ...sim.state.apps.map(
      (a) =>
        `app: ${a.clientId} graph=[${a.graphPermissions.join(', ')}]${a.exchangeManageAsApp ? ' exchange=ManageAsApp' : ''}`,
    ),
    ...hrLine,
    '',
    envBlock(simEnvironment(sim, hr)),
  ].join('\n');
}

/**
 * Writes the environment file whole or not at all (beside it, then renamed), readable by its owner
 * only: a script waiting for the file never reads half of it.
 */
export async function writeEnvFile(path: string, text: string): Promise<void> {
  const partial = `${path}.${process.pid}.partial`;
  try {
    await writeFile(partial, text, { mode: 0o600 });
    await rename(partial, path);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}
