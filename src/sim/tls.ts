import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/** A certificate authority the simulator's server certificate is issued by. */
export interface SimCa {
  certPem: string;
  keyPem: string;
}

/** What the https server presents, and where a client finds the CA to trust. */
export interface SimTls {
  key: string;
  cert: string;
  /** The CA certificate (PEM) to trust: `NODE_EXTRA_CA_CERTS`, or `ca` of an https.Agent. */
  caPem: string;
  /** A file holding `caPem`. */
  caPath: string;
  /** The temp folder made for `caPath` (no path was given): removed when the simulator closes. */
  tempDir?: string;
}

/** Options of `createSimTls`. */
export interface SimTlsOptions {
  /** Issue the server certificate from this CA (else a fresh CA is generated). */
  ca?: SimCa;
  /** Where to write the CA PEM (else the given CA's file, else a new temp file). */
  caPath?: string;
}

/**
 * Environment variables naming a stable dev CA. The vitest global setup writes one per test
 * run and sets these (plus `NODE_EXTRA_CA_CERTS` = the cert file) before workers fork: Node's
 * fetch (undici) and @azure/identity read `NODE_EXTRA_CA_CERTS` only at process start, and Node
 * 20 has no `tls.setDefaultCACertificates`, so trust must exist before a test process starts.
 */
export const SIM_CA_CERT_ENV = 'ROSTER_SIM_CA_CERT_FILE';
export const SIM_CA_KEY_ENV = 'ROSTER_SIM_CA_KEY_FILE';

export async function generateCa(): Promise<SimCa> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'Roster tenant simulator dev CA' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 30 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { certPem: pems.cert, keyPem: pems.private };
}

/** A server certificate for 127.0.0.1 and localhost, issued by `ca`. */
export async function issueServerCertificate(ca: SimCa): Promise<{ key: string; cert: string }> {
  const notBeforeDate = new Date(Date.now() - 60_000);
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate: new Date(notBeforeDate.getTime() + 7 * 86_400_000),
    ca: { key: ca.keyPem, cert: ca.certPem },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}

/** Reads the dev CA named by `ROSTER_SIM_CA_CERT_FILE` / `ROSTER_SIM_CA_KEY_FILE`, if both are set. */
export async function caFromEnv(env: NodeJS.ProcessEnv): Promise<(SimCa & { path: string }) | undefined> {
  const certFile = env[SIM_CA_CERT_ENV];
  const keyFile = env[SIM_CA_KEY_ENV];
  if (!certFile || !keyFile) return undefined;
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certPem, keyPem, path: certFile };
}

/** Writes a fresh CA (cert and key files, key mode 0600) into `dir`; used by the test global setup. */
export async function writeCa(dir: string): Promise<{ certFile: string; keyFile: string }> {
  const ca = await generateCa();
  const certFile = join(dir, 'sim-ca.pem');
  const keyFile = join(dir, 'sim-ca.key');
  await writeFile(certFile, ca.certPem, { mode: 0o644 });
  await writeFile(keyFile, ca.keyPem, { mode: 0o600 });
  return { certFile, keyFile };
}

/**
 * TLS material for one simulator: the given CA (or the environment's dev CA, or a fresh one)
 * issues a server certificate; the CA PEM is written to a file for `NODE_EXTRA_CA_CERTS`.
 */
export async function createSimTls(
  options: SimTlsOptions = {},
  env: NodeJS.ProcessEnv = {},
): Promise<SimTls> {
  const fromEnv = options.ca ? undefined : await caFromEnv(env);
  const ca = options.ca ?? fromEnv ?? (await generateCa());
  const server = await issueServerCertificate(ca);
  const given = options.caPath ?? fromEnv?.path;
  if (given && !options.caPath)
    return { key: server.key, cert: server.cert, caPem: ca.certPem, caPath: given };
  const tempDir = given ? undefined : await mkdtemp(join(tmpdir(), 'roster-sim-'));
  const caPath = given ?? join(tempDir!, 'ca.pem');
  await writeFile(caPath, ca.certPem);
  return { key: server.key, cert: server.cert, caPem: ca.certPem, caPath, ...(tempDir ? { tempDir } : {}) };
}
