import cliProgress from 'cli-progress';
import {
  activeAspects,
  formatAspectLine,
  formatPlanLine,
  formatProgressLine,
  type ProgressState,
} from './progress-lines.js';

/**
 * Draws a run's progress. `show` is called on every event with a reader of the current state;
 * drawing is paced by the display, not by the events.
 */
export interface ProgressDisplay {
  show(): void;
  /** Takes the bars off the screen (the plan or a prompt is printed next); `show` brings them back. */
  pause(): void;
  /** The final state: one last line without a terminal, when lines were already written. */
  stop(): void;
}

export interface ProgressDisplayOptions {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  terminal: boolean;
  intervalMs: number;
  now: () => number;
  /** The run's state as of now. */
  read: () => ProgressState;
}

/**
 * cli-progress draws the bars and owns the terminal (cursor, redraws in place, width) and the
 * schedule of lines without one; Roster only says what each line reads (`progress-lines.ts`).
 */
export function createProgressDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  return options.terminal ? terminalDisplay(options) : lineDisplay(options);
}

type Line = (state: ProgressState, now: number) => string;

/** One bar per aspect being written (or one for planning), redrawn in place a few times a second. */
function terminalDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  let multi: cliProgress.MultiBar | undefined;
  let shape = '';
  const bars: { bar: cliProgress.SingleBar; value: (s: ProgressState) => [number, number] }[] = [];

  const { read } = options;

  function open(state: ProgressState): void {
    multi = new cliProgress.MultiBar({
      ...cliProgress.Presets.shades_classic,
      stream: options.stream as NodeJS.WritableStream,
      fps: 5,
      hideCursor: true,
      clearOnComplete: true,
      barsize: 20,
      format: (opts, params, payload: { line: Line }) =>
        `${cliProgress.Format.BarFormat(params.progress, opts)} ${payload.line(read(), options.now())}`,
    });
    const add = (line: Line, value: (s: ProgressState) => [number, number]) => {
      const [done, total] = value(state);
      bars.push({ bar: multi!.create(Math.max(total, 1), done, { line }), value });
    };
    if (state.phase === 'applying' && state.apply) {
      for (const aspect of activeAspects(state)) {
        add(
          (s, now) => formatAspectLine(aspect, s.apply!.aspects[aspect], s.apply!.startedAt, now),
          (s) => [s.apply!.aspects[aspect].done, s.apply!.aspects[aspect].total],
        );
      }
    } else {
      add(formatPlanLine, (s) => [s.plan.rows, s.plan.totalRows ?? 0]);
    }
  }

  function close(): void {
    multi?.stop();
    multi = undefined;
    bars.length = 0;
  }

  return {
    show() {
      const state = read();
      const next = state.phase === 'applying' ? 'apply' : 'plan';
      if (multi && next !== shape) close();
      shape = next;
      if (!multi) open(state);
      for (const { bar, value } of bars) {
        const [done, total] = value(state);
        bar.setTotal(Math.max(total, 1));
        bar.update(done);
      }
    },
    pause: close,
    stop: close,
  };
}

/**
 * Without a terminal (CI logs): one line every `intervalMs`, the first after one interval, so a
 * short run prints nothing; a run that printed any line ends with a last one.
 */
function lineDisplay(options: ProgressDisplayOptions): ProgressDisplay {
  let bar: cliProgress.SingleBar | undefined;
  const startAfter = setTimeout(() => {
    bar = new cliProgress.SingleBar({
      stream: options.stream as NodeJS.WritableStream,
      noTTYOutput: true,
      notTTYSchedule: options.intervalMs,
      clearOnComplete: true,
      format: () => formatProgressLine(options.read(), options.now()),
    });
    bar.start(1, 0);
  }, options.intervalMs);
  startAfter.unref();
  return {
    show: () => undefined,
    // Lines in a log do not get in the way of a plan printed on standard output.
    pause: () => undefined,
    stop() {
      clearTimeout(startAfter);
      bar?.stop();
      bar = undefined;
    },
  };
}
