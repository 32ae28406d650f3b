import type { Controller } from '../controller/controller.js';
import type { ControllerStatus } from '../controller/status-model.js';
import { createLogger } from '../logging/logger.js';
import { createControllerFromEnv } from '../runtime/controller-runtime.js';
import { createMetrics } from '../server/metrics.js';
import { createScaledClock } from './scaled-clock.js';

/** What the campaign scenario asks of the worker's controller. */
export interface BenchControllerStart {
  configDir: string;
  env: Record<string, string>;
  timeScale: number;
  /** Wall epoch ms where the scaled clock and the wall agree: the orchestrator shares it. */
  clockOrigin: number;
}

/** A controller in the worker process, as `roster controller` runs one, on the scaled clock. */
export interface BenchController {
  status(): ControllerStatus;
  stop(): Promise<void>;
}

/**
 * Starts the controller the way the CLI does (runtime, leader lock, schedule), its runs, pacing
 * and timers on a clock scaled like the simulator: a boundary in the campaign file is a moment
 * of that clock, and the controller's wait until it is `timeScale` times as long on the wall.
 */
export async function startBenchController(request: BenchControllerStart): Promise<BenchController> {
  const clock = createScaledClock(request.timeScale, undefined, request.clockOrigin);
  const controller: Controller = createControllerFromEnv({
    dir: request.configDir,
    env: request.env,
    // Warnings and errors only: the orchestrator's output stays readable.
    logger: createLogger({ level: 'warn', destination: process.stderr }),
    metrics: createMetrics({ defaultMetrics: false }),
    identity: 'bench-controller',
    clock: {
      clock,
      setTimer: (callback, ms) => setTimeout(callback, Math.max(0, ms) * request.timeScale),
    },
  });
  await controller.start();
  return {
    status: () => controller.status(),
    stop: () => controller.stop(),
  };
}
