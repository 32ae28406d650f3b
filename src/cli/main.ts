#!/usr/bin/env node
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
