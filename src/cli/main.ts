#!/usr/bin/env -S node --max-semi-space-size=4
import { buildProgram } from './program.js';
import { exitCodeFor, describeError, wantsDetails } from './exit.js';
import { useMemoryProfile } from './memory-profile.js';
import { environmentSecrets } from '../secrets/environment-secrets.js';
import { createSecretScrubber } from '../secrets/secret-scrubber.js';

useMemoryProfile();

const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  const scrub = createSecretScrubber(environmentSecrets(process.env));
  const level = program.opts<{ logLevel?: string }>().logLevel ?? process.env.ROSTER_LOG_LEVEL;
  process.stderr.write(scrub(`roster: ${describeError(error, { details: wantsDetails(level) })}\n`));
  process.exitCode = exitCodeFor(error);
}
