/** A secret value Roster holds, with the name it is reported under (never the value). */
export interface KnownSecret {
  /** Where it comes from, e.g. `AZURE_CLIENT_SECRET` or `the password in DATABASE_URL`. */
  name: string;
  value: string;
}

type Env = Record<string, string | undefined>;

/** Variables whose whole value is a secret. */
const SECRET_VARIABLES = [
  'AZURE_CLIENT_SECRET',
  'AZURE_CLIENT_CERTIFICATE_PASSWORD',
  'ROSTER_API_TOKEN',
  'ROSTER_WEBHOOK_URL',
  'PGPASSWORD',
] as const;

/** Connection strings whose password is a secret (the rest of the URL is not). */
const DATABASE_VARIABLES = ['DATABASE_URL', 'ROSTER_STATE_DATABASE_URL'] as const;

const PRIVATE_KEY = /-----BEGIN ([A-Z ]*PRIVATE KEY)-----([\s\S]*?)-----END \1-----/g;

/**
 * The secrets of an environment: the client secret and certificate password, the private key of
 * the certificate file (`readText` reads it; the shell passes a file reader, tests a map), the
 * database passwords, the API token and the webhook URL. Empty values are left out.
 */
export function knownSecrets(env: Env, readText?: (path: string) => string | undefined): KnownSecret[] {
  const found: KnownSecret[] = [];
  for (const name of SECRET_VARIABLES) {
    const value = env[name];
    if (value) found.push({ name, value });
  }
  for (const name of DATABASE_VARIABLES) {
    const password = urlPassword(env[name]);
    if (password) found.push({ name: `the password in ${name}`, value: password });
  }
  const certificatePath = env.AZURE_CLIENT_CERTIFICATE_PATH?.trim();
  if (certificatePath && readText) {
    const name = 'the private key in AZURE_CLIENT_CERTIFICATE_PATH';
    for (const value of privateKeyParts(readText(certificatePath) ?? '')) found.push({ name, value });
  }
  return found;
}

function urlPassword(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return decodeURIComponent(new URL(url).password) || undefined;
  } catch {
    // A libpq keyword string (`host=… password=…`): the scrubber's key=value pattern covers it.
    return /(?:^|\s)password=(?:'((?:[^'\\]|\\.)*)'|(\S+))/.exec(url)?.slice(1).find(Boolean);
  }
}

/**
 * A PEM private key as it could leak: the whole block, and each line of its base64 body (a
 * leaked fragment is still the key). Lines shorter than 16 characters (the last one) are left
 * out: too short to be told from ordinary text.
 */
function privateKeyParts(pem: string): string[] {
  const parts: string[] = [];
  for (const match of pem.matchAll(PRIVATE_KEY)) {
    parts.push(match[0]);
    for (const line of match[2]!.split(/\r?\n/)) {
      const trimmed = line.trim();
      if (trimmed.length >= 16 && !trimmed.includes(':')) parts.push(trimmed);
    }
  }
  return parts;
}
