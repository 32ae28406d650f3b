import { Command, Option } from 'commander';
import { registerApply } from './apply.js';
import { registerHistory } from './history.js';
import { registerController } from './controller.js';
import { registerDemo } from './demo.js';
import { registerDoctor } from './doctor.js';
import { registerPlan } from './plan.js';
import { registerRender } from './render.js';
import { registerSim } from './sim.js';
import { registerValidate } from './validate.js';

/**
 * The one composition root of the command line: each command lives in its own file and
 * registers itself here.
 */
export function buildProgram(): Command {
  const program = new Command('roster')
    .description("Keep a Microsoft 365 tenant's staff directory true to the HR database.")
    .option('-C, --dir <path>', 'folder holding desired-state/ and templates/', '.')
    .addOption(
      new Option(
        '--log-level <level>',
        'log level (debug logs every API call); env ROSTER_LOG_LEVEL',
      ).choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    )
    .showHelpAfterError();
  registerValidate(program);
  registerDoctor(program);
  registerRender(program);
  registerPlan(program);
  registerApply(program);
  registerHistory(program);
  registerSim(program);
  registerController(program);
  registerDemo(program);
  return program;
}
