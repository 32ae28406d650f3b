import { CHECKS, type Finding, type FindingStatus } from './finding.js';

const MARK: Record<FindingStatus, string> = { ok: '✓', warning: '!', error: '✗', skipped: '-' };
const WIDTH = Math.max(...CHECKS.map((c) => c.length));

/** Counts per status, in words: `11 ok, 1 warning, 2 errors, 1 skipped`. */
export function tally(findings: readonly Finding[]): string {
  const count = (s: FindingStatus) => findings.filter((f) => f.status === s).length;
  const errors = count('error');
  const warnings = count('warning');
  return [
    `${count('ok')} ok`,
    `${warnings} warning${warnings === 1 ? '' : 's'}`,
    `${errors} error${errors === 1 ? '' : 's'}`,
    `${count('skipped')} skipped`,
  ].join(', ');
}

/**
 * The human report: one line per check (✓ ok, ! warning, ✗ error, - skipped), and under each
 * warning and error what to fix and where the setup guide explains it.
 */
export function renderFindingsText(findings: readonly Finding[], heading: string): string {
  const lines = [heading, ''];
  for (const f of findings) {
    lines.push(`${MARK[f.status]} ${f.check.padEnd(WIDTH)}  ${f.message}`);
    if (f.status !== 'warning' && f.status !== 'error') continue;
    const indent = ' '.repeat(WIDTH + 4);
    if (f.fix) lines.push(`${indent}fix: ${f.fix}`);
    if (f.link) lines.push(`${indent}see: ${f.link}`);
  }
  lines.push('', tally(findings));
  return `${lines.join('\n')}\n`;
}
