#!/usr/bin/env -S node --max-semi-space-size=4
import { buildProgram } from './program.js';
import { exitCodeFor, describeError } from './exit.js';
import { useMemoryProfile } from './memory-profile.js';
import { environmentSecrets } from '../secrets/environment-secrets.js';
import { createSecretScrubber } from '../secrets/secret-scrubber.js';

useMemoryProfile();

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  const scrub = createSecretScrubber(environmentSecrets(process.env));
  process.stderr.write(scrub(`roster: ${describeError(error)}\n`));
  process.exitCode = exitCodeFor(error);
}
