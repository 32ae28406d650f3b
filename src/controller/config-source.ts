import type { DesiredConfig } from '../config/settings.js';
import { formatProblem, type ConfigProblem } from '../errors/roster-error.js';
import type { Logger } from '../logging/logger.js';
import { errorText } from '../runs/run-result.js';

/** Reads the configuration folder (desired-state/ and templates/) afresh. */
export type LoadConfig = () => Promise<{ config?: DesiredConfig; problems: ConfigProblem[] }>;

/**
 * The configuration the controller runs on: re-read before every run; an invalid revision is
 * reported and the last good one stays in use.
 */
export interface ConfigSource {
  refresh(): Promise<void>;
  /** The revision runs use (the last good one), if any was ever valid. */
  current(): DesiredConfig | undefined;
  /** Problems of the latest revision; empty when it is valid. */
  errors(): string[];
}

export function watchConfig(load: LoadConfig, logger: Logger): ConfigSource {
  let config: DesiredConfig | undefined;
  let errors: string[] = [];
  return {
    current: () => config,
    errors: () => errors,
    async refresh() {
      try {
        const loaded = await load();
        const problems = loaded.problems.filter((p) => p.severity === 'error').map(formatProblem);
        if (loaded.config) {
          if (config?.revision !== loaded.config.revision) {
            logger.info({ revision: loaded.config.revision }, 'configuration revision loaded');
          }
          config = loaded.config;
          errors = [];
          return;
        }
        if (problems.join('\n') !== errors.join('\n')) {
          logger.warn({ problems, using: config?.revision ?? null }, 'configuration is invalid');
        }
        errors = problems.length > 0 ? problems : ['the configuration could not be loaded'];
      } catch (error) {
        errors = [`the configuration could not be read: ${errorText(error)}`];
      }
    },
  };
}
