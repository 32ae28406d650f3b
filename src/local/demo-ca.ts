import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { writeCa, type SimCa } from '../sim/tls.js';

/** Where the demo keeps its CA, relative to the working directory (`.roster/` is git-ignored). */
export const DEMO_CA_DIR = '.roster/demo-ca';

/** The demo's dev CA on disk: the simulator issues its certificate from it; Roster trusts it. */
export interface DemoCa extends SimCa {
  /** Absolute path of the CA certificate: the value of `NODE_EXTRA_CA_CERTS`. */
  certFile: string;
  /** Absolute path of the CA key (mode 0600). */
  keyFile: string;
  /** True when this call generated the CA (false: an existing, still valid one was reused). */
  created: boolean;
}

// The same names `writeCa` uses.
const CERT_NAME = 'sim-ca.pem';
const KEY_NAME = 'sim-ca.key';
/** Renew well before expiry so a demo started today still works tomorrow. */
const MIN_REMAINING_MS = 2 * 86_400_000;

async function readValidCa(certFile: string, keyFile: string, now: number): Promise<SimCa | undefined> {
  try {
    const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    const cert = new X509Certificate(certPem);
    if (!cert.ca || Date.parse(cert.validTo) - now < MIN_REMAINING_MS) return undefined;
    if (!keyPem.includes('PRIVATE KEY')) return undefined;
    return { certPem, keyPem };
  } catch {
    return undefined;
  }
}

/**
 * Makes sure `dir` holds a usable dev CA (cert + key), generating one when missing, unreadable
 * or close to expiry. Reusing it across runs matters: Node reads `NODE_EXTRA_CA_CERTS` only at
 * process start, so the demo process trusts the file it was started with.
 */
export async function ensureDemoCa(dir: string = DEMO_CA_DIR, now = Date.now()): Promise<DemoCa> {
  const base = resolve(dir);
  const certFile = join(base, CERT_NAME);
  const keyFile = join(base, KEY_NAME);
  const existing = await readValidCa(certFile, keyFile, now);
  if (existing) return { ...existing, certFile, keyFile, created: false };
  await mkdir(base, { recursive: true, mode: 0o700 });
  await chmod(base, 0o700);
  await writeCa(base);
  const [certPem, keyPem] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
  return { certPem, keyPem, certFile, keyFile, created: true };
}

/** Whether a process started with `env` trusts `certFile` for Node's fetch and @azure/identity. */
export function trustsCa(certFile: string, env: Record<string, string | undefined> = process.env): boolean {
  const extra = env.NODE_EXTRA_CA_CERTS;
  return extra !== undefined && extra !== '' && resolve(extra) === resolve(certFile);
}

/** Options of `runTrustingCa`. */
export interface RunTrustingCaOptions {
  /** Script and arguments (default: this process's, i.e. a re-exec). */
  args?: string[];
  /** Base environment (default `process.env`); `NODE_EXTRA_CA_CERTS` is set on top. */
  env?: Record<string, string | undefined>;
  /** Default `inherit`: the child talks to the user's terminal. */
  stdio?: 'inherit' | 'pipe';
}

/**
 * Runs Node (by default: this very script again) in a child process that trusts `certFile`,
 * and resolves with its exit code. The demo command uses this when it was not itself started
 * with `NODE_EXTRA_CA_CERTS` pointing at the demo CA.
 */
export function runTrustingCa(
  certFile: string,
  options: RunTrustingCaOptions = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = options.args ?? [...process.execArgv, ...process.argv.slice(1)];
  const env = { ...(options.env ?? process.env), NODE_EXTRA_CA_CERTS: resolve(certFile) };
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: options.stdio ?? 'inherit' });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    // Ctrl+C reaches the child through the terminal's process group; the parent waits for the
    // child's teardown instead of dying first. A SIGTERM sent to the parent alone is passed on.
    const onSigint = () => undefined;
    const onSigterm = () => child.kill('SIGTERM');
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigterm);
    const detach = () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigterm);
    };
    child.once('error', (error) => {
      detach();
      reject(error);
    });
    child.once('close', (code, signal) => {
      detach();
      resolvePromise({ code: code ?? (signal ? 128 + signalNumber(signal) : 1), stdout, stderr });
    });
  });
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : signal === 'SIGKILL' ? 9 : 1;
}
