import { readFileSync } from 'node:fs';
import { knownSecrets, type KnownSecret } from './known-secrets.js';

/** `knownSecrets` of `env`, reading the certificate file named there (an unreadable file adds nothing). */
export function environmentSecrets(env: Record<string, string | undefined>): KnownSecret[] {
  return knownSecrets(env, (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  });
}
