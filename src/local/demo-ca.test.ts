import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildState } from '../sim/seed.js';
import { createSimulator } from '../sim/simulator.js';
import { ensureDemoCa, runTrustingCa, trustsCa } from './demo-ca.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-demo-ca-test-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The child's environment without any CA trust inherited from the test run. */
function untrustedEnv(): Record<string, string | undefined> {
  const { NODE_EXTRA_CA_CERTS: _ignored, ...rest } = process.env;
  return rest;
}

const FETCH_STATE = `fetch(process.argv[1] + '/_sim/state').then((r) => r.json()).then((s) => console.log(s.tenantId), (e) => { console.error(String(e.cause?.code ?? e)); process.exit(3); })`;

describe('ensureDemoCa', () => {
  it('creates a CA (private key 0600, folder 0700) and reuses it while valid', async () => {
    const dir = join(await tempDir(), '.roster', 'demo-ca');
    const made = await ensureDemoCa(dir);
    expect(made.created).toBe(true);
    expect(new X509Certificate(made.certPem).ca).toBe(true);
    expect((await stat(made.keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(made.certFile).toBe(join(dir, 'sim-ca.pem'));

    const again = await ensureDemoCa(dir);
    expect(again).toEqual({ ...made, created: false });
  });

  it('replaces a CA that is about to expire, or is unreadable', async () => {
    const dir = await tempDir();
    const first = await ensureDemoCa(dir);
    const nearExpiry = Date.now() + 29 * 86_400_000;
    const renewed = await ensureDemoCa(dir, nearExpiry);
    expect(renewed.created).toBe(true);
    expect(renewed.certPem).not.toBe(first.certPem);

    await writeFile(renewed.certFile, 'not a certificate');
    const repaired = await ensureDemoCa(dir);
    expect(repaired.created).toBe(true);
    expect(new X509Certificate(repaired.certPem).ca).toBe(true);
  });

  it('tells whether an environment trusts the CA file', async () => {
    const dir = await tempDir();
    const { certFile } = await ensureDemoCa(dir);
    expect(trustsCa(certFile, { NODE_EXTRA_CA_CERTS: certFile })).toBe(true);
    expect(trustsCa(certFile, { NODE_EXTRA_CA_CERTS: join(dir, '.', 'sim-ca.pem') })).toBe(true);
    expect(trustsCa(certFile, { NODE_EXTRA_CA_CERTS: '/etc/ssl/other.pem' })).toBe(false);
    expect(trustsCa(certFile, {})).toBe(false);
  });
});

describe('runTrustingCa', () => {
  it('runs a child process that trusts a simulator issued from the demo CA', async () => {
    const ca = await ensureDemoCa(await tempDir());
    await using sim = await createSimulator({
      seed: buildState({ tenant: { domain: 'example.onmicrosoft.com' } }),
      tls: { ca, caPath: ca.certFile },
    });
    expect(sim.caPath).toBe(ca.certFile);

    const trusted = await runTrustingCa(ca.certFile, {
      args: ['-e', FETCH_STATE, sim.controlOrigin],
      env: untrustedEnv(),
      stdio: 'pipe',
    });
    expect(trusted).toEqual({ code: 0, stdout: `${sim.state.tenantId}\n`, stderr: '' });

    // The control: the same child without the trust fails the TLS handshake.
    const untrusted = await runTrustingCa('/dev/null', {
      args: ['-e', FETCH_STATE, sim.controlOrigin],
      env: untrustedEnv(),
      stdio: 'pipe',
    });
    expect(untrusted.code).toBe(3);
    // The exact OpenSSL code varies (an unknown issuer, a failed signature check).
    expect(untrusted.stderr).toMatch(/CERT|UNABLE_TO_VERIFY/);
  });
});
