import { createTwoFilesPatch } from 'diff';
import { displayUrl } from '../secrets/display-url.js';
import { htmlBlockText, markdownCode, markdownText } from './markdown-escape.js';
import { guardrailText } from './guardrails.js';
import { count, planCountsOf } from './plan-counts.js';
import type { FieldChange, Plan, PlanAction } from './plan-model.js';
import { summaryLine, warningText } from './render-text.js';
import { campaignLines } from './plan-campaigns.js';

/** GitHub refuses comments over 65,536 characters; stay clear of it. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface MarkdownOptions {
  /** Maximum characters of the whole document (default: GitHub's comment limit minus a margin). */
  maxLength?: number;
}

function cell(v: string | string[] | null): string {
  if (v === null) return '<em>none</em>';
  return markdownCode(Array.isArray(v) ? v.join(', ') : v);
}

function fieldRows(changes: FieldChange[]): string[] {
  return [
    '| Field | Current | Desired |',
    '| --- | --- | --- |',
    ...changes.map((c) => `| ${c.field} | ${cell(c.before)} | ${cell(c.after)} |`),
  ];
}

function withEol(s: string): string {
  return s.endsWith('\n') ? s : `${s}\n`;
}

/** A fence longer than any backtick run inside, so the content cannot close it. */
function fence(content: string): string {
  const longest = Math.max(2, ...Array.from(content.matchAll(/`+/g), (m) => m[0].length));
  return '`'.repeat(longest + 1);
}

function actionBlock(a: PlanAction): string[] {
  switch (a.kind) {
    case 'update-profile':
      return [`**Profile** — ${markdownText(a.reason)}`, '', ...fieldRows(a.changes), ''];
    case 'set-photo':
      return [`**Photo** — ${markdownText(a.reason)}: ${markdownCode(displayUrl(a.sourceUrl))}`, ''];
    case 'set-signature': {
      const lines = [`**Signature** (template ${markdownCode(a.template)}) — ${markdownText(a.reason)}`, ''];
      const patch = createTwoFilesPatch(
        'current',
        'desired',
        withEol(a.currentText ?? ''),
        withEol(a.text),
        '',
        '',
        { context: 2 },
      )
        .split('\n')
        .slice(2)
        .join('\n')
        .trim();
      const f = fence(patch);
      return [...lines, `${f}diff`, patch, f, ''];
    }
  }
}

function employeeDetail(employee: string, actions: PlanAction[]): string {
  const aspects = actions.map((a) => a.kind.replace('update-', '').replace('set-', '')).join(', ');
  return [
    `<details><summary>${htmlBlockText(employee)} — ${aspects}</summary>`,
    '',
    ...actions.flatMap(actionBlock),
    '</details>',
    '',
  ].join('\n');
}

/**
 * Markdown for a pull-request comment: the summary table and warnings outside any fold, one
 * `<details>` per employee. Every value that is not Roster's own text goes through
 * `markdown-escape.ts`, so it shows as written and never as markup; photo URLs lose their query
 * string. Stays under the limit by dropping whole employee blocks from the end
 * and saying how many were left out; the summary is always kept.
 */
export function renderPlanMarkdown(plan: Plan, options: MarkdownOptions = {}): string {
  const max = options.maxLength ?? GITHUB_COMMENT_LIMIT - 1_536;
  const c = planCountsOf(plan);
  const head: string[] = [
    `### Roster plan for ${markdownCode(plan.tenantId)}`,
    '',
    summaryLine(plan),
    '',
    '| | Count |',
    '| --- | ---: |',
    `| Active employees in HR | ${c.active} |`,
    `| Employees (active, not excluded, without data errors) | ${c.employees} |`,
    `| Matched to a tenant user | ${c.matched} |`,
    `| In sync | ${c.inSync} |`,
    `| Changes | ${c.changes} |`,
    `| Profile updates | ${c.profileUpdates} |`,
    `| Photos | ${c.photos} |`,
    `| Signatures | ${c.signatures} |`,
    `| Warnings | ${c.warnings} |`,
    '',
  ];
  if (plan.campaigns) {
    // Links whole, utm_* included, as code: the reviewer sees exactly where banners point.
    head.push(
      `**Campaigns** (signatures as of ${markdownCode(plan.campaigns.at)})`,
      '',
      ...campaignLines(plan).map((line) => `- ${markdownCode(line)}`),
      '',
    );
  }
  const tripped = plan.guardrails.filter((g) => g.tripped);
  if (tripped.length > 0) {
    head.push(
      '> [!CAUTION]',
      ...tripped.map((g) => `> **${g.name}**: ${markdownText(guardrailText(g, 'plan'))}`),
      '',
    );
  }
  let warningBlock = '';
  if (plan.warnings.length > 0) {
    const items = plan.warnings.map((w) => `- **${w.kind}**: ${markdownText(warningText(w, plan))}`);
    warningBlock = [
      '<details><summary>Warnings (' + plan.warnings.length + ')</summary>',
      '',
      ...items,
      '',
      '</details>',
      '',
    ].join('\n');
  }
  const byEmployee = new Map<string, PlanAction[]>();
  for (const a of plan.actions) byEmployee.set(a.employee, [...(byEmployee.get(a.employee) ?? []), a]);
  const footer = `\n<sub>Configuration revision \`${plan.configRevision.slice(0, 12)}\` · plan format ${plan.formatVersion}</sub>\n`;
  let doc = head.join('\n');
  const reserve = footer.length + 200;
  if (doc.length + warningBlock.length + reserve <= max) doc += warningBlock;
  let shown = 0;
  for (const [employee, actions] of byEmployee) {
    const block = employeeDetail(employee, actions);
    if (doc.length + block.length + reserve > max) break;
    doc += block;
    shown++;
  }
  if (shown < byEmployee.size) {
    const hidden = byEmployee.size - shown;
    doc += `\n**${count(hidden, { one: 'more employee', other: 'more employees' })} with changes ${hidden === 1 ? 'is' : 'are'} not shown** (the comment would exceed GitHub's limit); see the JSON plan artifact.\n`;
  }
  return doc + footer;
}
