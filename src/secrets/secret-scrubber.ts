import type { KnownSecret } from './known-secrets.js';

/** What replaces a secret in any output. Also refused in a value about to be written. */
export const REDACTED = '[redacted]';

/** Secret literals shorter than this are not scrubbed: replacing them would mangle ordinary words. */
const MIN_SECRET_LENGTH = 6;

const PATTERNS: [RegExp, string][] = [
  // JWTs (access tokens, client assertions): header.payload[.signature], base64url.
  [/eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g, REDACTED],
  // At least 8 characters: "bearer token required" is prose, not a credential.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9\-._~+/]{8,}=*/gi, `$1 ${REDACTED}`],
  [
    /\b(client_secret|client_assertion|access_token|refresh_token|id_token|password|sig)=[^&\s"']+/gi,
    `$1=${REDACTED}`,
  ],
  // Credentials in URLs: scheme://user:password@host.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^/\s:@"']+):[^@\s"'/]+@/gi, `$1:${REDACTED}@`],
];

/**
 * The second line of defence behind the settings file's variable allow-list: every output that
 * leaves Roster (plans in every format, logs, API responses and pages, the journal, webhooks)
 * passes through `text` or `value`; `find` tells the writers that a value about to be written to
 * the tenant holds a secret, so that write fails instead of being silently scrubbed.
 */
export interface SecretScrubber {
  /** `text` with every known secret (raw and JSON-escaped), bearer and basic credentials, JWTs, token parameters and URL passwords replaced by `[redacted]`. */
  text(text: string): string;
  /** `value` with every string in it scrubbed; the same object when nothing needed scrubbing. */
  value<T>(value: T): T;
  /** The name of a known secret `text` contains, or of the redaction marker; undefined when clean. */
  find(text: string): string | undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function createScrubber(secrets: readonly (KnownSecret | string)[] = []): SecretScrubber {
  const named = secrets
    .map((s) => (typeof s === 'string' ? { name: 'a secret', value: s } : s))
    .filter((s) => s.value.length >= MIN_SECRET_LENGTH);
  const nameOf = new Map<string, string>();
  for (const { name, value } of named) {
    nameOf.set(value, name);
    nameOf.set(JSON.stringify(value).slice(1, -1), name);
  }
  // Longest first, so a secret containing another is replaced whole.
  const sorted = [...nameOf.keys()].sort((a, b) => b.length - a.length).map(escapeRegExp);
  const literal = sorted.length > 0 ? new RegExp(sorted.join('|'), 'g') : undefined;

  function text(input: string): string {
    let out = literal ? input.replace(literal, REDACTED) : input;
    for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  function value<T>(input: T): T {
    if (typeof input === 'string') return text(input) as T;
    if (Array.isArray(input)) {
      const out = input.map((item: unknown) => value(item));
      return (out.some((item, i) => item !== input[i]) ? out : input) as T;
    }
    if (input !== null && typeof input === 'object' && Object.getPrototypeOf(input) === Object.prototype) {
      let changed = false;
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(input)) {
        const clean = value(item);
        if (clean !== item) changed = true;
        out[key] = clean;
      }
      return (changed ? out : input) as T;
    }
    return input;
  }

  function find(input: string): string | undefined {
    if (literal) {
      literal.lastIndex = 0;
      const hit = literal.exec(input);
      literal.lastIndex = 0;
      if (hit) return nameOf.get(hit[0]);
    }
    if (input.includes(REDACTED)) return `a value redacted as a secret (${REDACTED})`;
    return undefined;
  }

  return { text, value, find };
}

/** `createScrubber(secrets).text`, for callers that only scrub text. */
export function createSecretScrubber(
  secrets: readonly (KnownSecret | string)[] = [],
): (text: string) => string {
  return createScrubber(secrets).text;
}
