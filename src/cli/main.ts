#!/usr/bin/env -S node --max-semi-space-size=4
import { buildProgram } from './program.js';
import { exitCodeFor, describeError } from './exit.js';
import { useMemoryProfile } from './memory-profile.js';

useMemoryProfile();

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  process.stderr.write(`roster: ${describeError(error)}\n`);
  process.exitCode = exitCodeFor(error);
}
