import { parseArgs } from 'node:util';
import type { BenchOptions } from './bench-report.js';

/** The bench's command-line options (docs/performance.md lists them). */
export function readBenchOptions(argv: string[]): BenchOptions & { out: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      employees: { type: 'string', default: '10000' },
      'latency-ms': { type: 'string', default: '30' },
      'time-scale': { type: 'string', default: '0.2' },
      seeds: { type: 'string', default: '1,2,3' },
      'draw-graph-budget': { type: 'boolean', default: false },
      'baseline-slice': { type: 'string', default: '50' },
      'ceiling-factor': { type: 'string', default: '10' },
      'no-deep-check': { type: 'boolean', default: false },
      'no-scaling': { type: 'boolean', default: false },
      'memory-employees': { type: 'string', default: '50000,100000' },
      'memory-time-scale': { type: 'string' },
      'memory-only': { type: 'boolean', default: false },
      'no-campaign': { type: 'boolean', default: false },
      'campaign-only': { type: 'boolean', default: false },
      out: { type: 'string', default: 'bench/results' },
      worker: { type: 'boolean', default: false },
    },
  });
  const num = (name: string, value: string | undefined, min: number, max: number) => {
    const n = Number(value);
    if (value === undefined || value.trim() === '' || !Number.isFinite(n) || n < min || n > max)
      throw new Error(`--${name} must be a number in [${min}, ${max}]`);
    return n;
  };
  const list = (name: string, value: string | undefined, min: number, max: number) =>
    (value ?? '')
      .split(',')
      .filter((v) => v.trim() !== '')
      .map((v) => Math.round(num(name, v, min, max)));
  const timeScale = num('time-scale', values['time-scale'], 0.0001, 1);
  const seeds = [...new Set(list('seeds', values.seeds, 0, 0xffff_ffff))];
  if (seeds.length === 0 && !values['memory-only']) throw new Error('--seeds needs at least one seed');
  return {
    employees: Math.round(num('employees', values.employees, 10, 200_000)),
    latencyMs: num('latency-ms', values['latency-ms'], 0, 10_000),
    timeScale,
    seeds,
    drawGraphBudget: values['draw-graph-budget'] ?? false,
    baselineSlice: Math.round(num('baseline-slice', values['baseline-slice'], 1, 10_000)),
    ceilingFactor: num('ceiling-factor', values['ceiling-factor'], 0, 1_000),
    deepCheck: !values['no-deep-check'],
    scaling: !values['no-scaling'],
    memoryEmployees: list('memory-employees', values['memory-employees'], 1, 500_000).sort((a, b) => a - b),
    memoryTimeScale: num(
      'memory-time-scale',
      values['memory-time-scale'] ?? String(timeScale / 10),
      0.0001,
      1,
    ),
    memoryOnly: values['memory-only'] ?? false,
    campaign: !values['no-campaign'],
    campaignOnly: values['campaign-only'] ?? false,
    out: values.out ?? 'bench/results',
  };
}

/** The command line that reproduces a run. */
export function benchCommand(o: BenchOptions): string {
  const parts = [
    `npm run bench --`,
    `--employees ${o.employees}`,
    `--latency-ms ${o.latencyMs}`,
    `--time-scale ${o.timeScale}`,
    `--seeds ${o.seeds.join(',')}`,
    `--ceiling-factor ${o.ceilingFactor}`,
    o.drawGraphBudget ? '--draw-graph-budget' : '',
    o.deepCheck ? '' : '--no-deep-check',
    o.scaling
      ? `--memory-employees ${o.memoryEmployees.join(',') || "''"} --memory-time-scale ${o.memoryTimeScale}`
      : '--no-scaling',
    o.memoryOnly ? '--memory-only' : '',
    o.campaign ? '' : '--no-campaign',
    o.campaignOnly ? '--campaign-only' : '',
  ];
  return parts.filter(Boolean).join(' ');
}
