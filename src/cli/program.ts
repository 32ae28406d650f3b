import { Command } from 'commander';
import { registerSim } from './sim.js';

/**
 * The one composition root of the command line: each command lives in its own file and
 * registers itself here.
 */
export function buildProgram(): Command {
  const program = new Command('roster')
    .description("Keep a Microsoft 365 tenant's staff directory true to the HR database.")
    .option('-C, --dir <path>', 'folder holding desired-state/ and templates/', '.')
    .showHelpAfterError();
  registerSim(program);
  return program;
}
