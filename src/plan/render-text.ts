import { displayUrl } from '../secrets/display-url.js';
import { guardrailText } from './guardrails.js';
import { summarySentence } from './plan-counts.js';
import { campaignLines } from './plan-campaigns.js';
import type { FieldChange, Plan, PlanAction, PlanHead, PlanWarning } from './plan-model.js';

export interface TextOptions {
  /** ANSI colour: only when writing to a TTY. */
  color: boolean;
  /** The plan is shown by an apply with `--allow-large-change`: max-changes says it is overridden. */
  allowLargeChange?: boolean;
}

/**
 * A warning's text as every plan view shows it: with its employee when the message does not name
 * them already (a bad phone number says which employee it belongs to), and a guardrail's with the
 * advice that fits the command's flags.
 */
export function warningText(
  warning: PlanWarning,
  plan: Pick<PlanHead, 'guardrails'>,
  options: { allowLargeChange?: boolean } = {},
): string {
  if (warning.kind === 'guardrail') {
    const guardrail = plan.guardrails.find((g) => g.tripped && g.message === warning.message);
    if (guardrail) return guardrailText(guardrail, options.allowLargeChange ? 'overridden' : 'plan');
  }
  const employee = warning.employee;
  if (employee && !warning.message.toLowerCase().includes(employee.toLowerCase())) {
    return `${employee}: ${warning.message}`;
  }
  return warning.message;
}

const ANSI = {
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  red: '\x1b[31m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  reset: '\x1b[0m',
};

function show(v: string | string[] | null): string {
  if (v === null) return '(none)';
  return Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(', ')}]` : JSON.stringify(v);
}

function fieldLine(c: FieldChange, paint: (code: keyof typeof ANSI, s: string) => string): string {
  if (c.before === null) return `      ${paint('green', '+')} ${c.field}: ${show(c.after)}`;
  if (c.after === null) return `      ${paint('red', '-')} ${c.field}: ${show(c.before)} → (cleared)`;
  return `      ${paint('yellow', '~')} ${c.field}: ${show(c.before)} → ${show(c.after)}`;
}

function actionLines(a: PlanAction, paint: (code: keyof typeof ANSI, s: string) => string): string[] {
  switch (a.kind) {
    case 'update-profile':
      return [
        `    ${paint('yellow', '~')} profile (${a.reason})`,
        ...a.changes.map((c) => fieldLine(c, paint)),
      ];
    case 'set-photo':
      return [`    ${paint('yellow', '~')} photo: ${a.reason} ← ${displayUrl(a.sourceUrl)}`];
    case 'set-signature':
      return [`    ${paint('yellow', '~')} signature (template ${a.template}): ${a.reason}`];
  }
}

/** Human text, Terraform-like: one block per employee, per-field before → after, a summary line. */
export function renderPlanText(plan: Plan, options: TextOptions): string {
  const paint = (code: keyof typeof ANSI, s: string) =>
    options.color ? `${ANSI[code]}${s}${ANSI.reset}` : s;
  const out: string[] = [
    `Roster plan for tenant ${plan.tenantId} (configuration ${plan.configRevision.slice(0, 12)})`,
    '',
  ];
  if (plan.campaigns) {
    out.push(`Signatures as of ${plan.campaigns.at}:`, ...campaignLines(plan).map((l) => `  ${l}`), '');
  }
  const byEmployee = new Map<string, PlanAction[]>();
  for (const a of plan.actions) byEmployee.set(a.employee, [...(byEmployee.get(a.employee) ?? []), a]);
  for (const [employee, actions] of byEmployee) {
    out.push(`  ${paint('yellow', '~')} ${paint('bold', employee)} (${actions[0]?.userPrincipalName ?? ''})`);
    for (const a of actions) out.push(...actionLines(a, paint));
    out.push('');
  }
  if (plan.warnings.length > 0) {
    out.push(paint('bold', 'Warnings:'));
    for (const w of plan.warnings)
      out.push(`  ${paint('red', '!')} ${w.kind}: ${warningText(w, plan, options)}`);
    out.push('');
  }
  if (!plan.deepChecked.photos || !plan.deepChecked.signatures) {
    const skipped = [
      !plan.deepChecked.photos && 'photos',
      !plan.deepChecked.signatures && 'signatures',
    ].filter(Boolean);
    out.push(paint('dim', `Not read back this run (last-applied record trusted): ${skipped.join(', ')}.`));
  }
  out.push(summaryLine(plan));
  return `${out.join('\n')}\n`;
}

/** The plan's one-line summary, in the vocabulary of `plan-counts.ts`. */
export function summaryLine(plan: Pick<Plan, 'summary' | 'sourceCount'>): string {
  return summarySentence(plan);
}
