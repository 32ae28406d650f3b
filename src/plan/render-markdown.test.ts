import { micromark } from 'micromark';
import { gfm, gfmHtml } from 'micromark-extension-gfm';
import { parseFragment, type DefaultTreeAdapterMap } from 'parse5';
import { describe, expect, it } from 'vitest';
import { planChanges } from './plan-changes.js';
import type { Plan, PlanAction } from './plan-model.js';
import { renderPlanMarkdown } from './render-markdown.js';
import { renderPlanText } from './render-text.js';
import { desiredState, employee, observedState, planOptions, signature, user } from './test-builders.js';

type Node = DefaultTreeAdapterMap['node'];

/** Values an HR row, an override or a tenant could hold, each trying another markdown trick. */
const HOSTILE = [
  '[click me](https://evil.example/phish) **BOLD**',
  '![pixel](https://evil.example/p.png) [ref][1] [1]: https://evil.example/r',
  '<https://evil.example/angle> https://evil.example/bare www.evil.example/www',
  'mail kari@evil.example or <kari@evil.example>',
  '_em_ *em* __strong__ ~~del~~ ~del~ ***both***',
  '@octocat and @github/security-team, #123, GH-45, owner/repo#7',
  '<img src=x onerror=alert(1)> <script>alert(1)</script> <b>bold</b>',
  '</code></td></tr></table><details open><summary>injected</summary>',
  '</summary></details>\n\n# Heading\n\n<details><summary>again',
  'a ` b `` c ``` d',
  'pipes | in | cells \\| escaped \\\\| double',
  'back\\slash\\ at the end\\',
  '$x^2$ and $$y$$, footnote[^1], &amp; &#64; &lt;b&gt;',
  '- [ ] task\n1. list\n> quote',
];

function hostilePlan(): Plan {
  const plan = planChanges(
    desiredState([
      employee('kari@example.no', {
        fields: { jobTitle: HOSTILE.join(' '), department: HOSTILE[0]! },
        photoUrl: 'https://hr.example.no/p.jpg',
        signature: signature('<p>new</p>', HOSTILE.join('\n')),
      }),
    ]),
    observedState([user('kari@example.no', { fields: { jobTitle: HOSTILE[5]!, department: HOSTILE[6]! } })]),
    new Map(),
    planOptions(),
  );
  const actions = plan.actions.map((a): PlanAction => {
    const reason = `${a.reason} (${HOSTILE[7]})`;
    if (a.kind === 'set-photo')
      return { ...a, reason, sourceUrl: `https://hr.example.no/p.jpg?token=${HOSTILE[0]}` };
    if (a.kind === 'set-signature') return { ...a, reason, template: HOSTILE[1]! };
    return { ...a, reason };
  });
  return {
    ...plan,
    tenantId: HOSTILE[2]!,
    actions,
    warnings: HOSTILE.map((message) => ({ kind: 'employee-error' as const, message })),
    guardrails: [{ name: 'max-changes' as const, tripped: true, message: HOSTILE[8]! }],
  };
}

function render(md: string): Node {
  return parseFragment(
    micromark(md, { allowDangerousHtml: true, extensions: [gfm()], htmlExtensions: [gfmHtml()] }),
  );
}

function* walk(node: Node, inside: string[] = []): Generator<{ node: Node; inside: string[] }> {
  yield { node, inside };
  const children = 'childNodes' in node ? node.childNodes : [];
  for (const child of children) yield* walk(child, [...inside, node.nodeName]);
}

function textOf(node: Node): string {
  if (node.nodeName === '#text') return (node as DefaultTreeAdapterMap['textNode']).value;
  return 'childNodes' in node ? node.childNodes.map(textOf).join('') : '';
}

function elements(root: Node, name: string): Node[] {
  return [...walk(root)].filter((e) => e.node.nodeName === name).map((e) => e.node);
}

describe('markdown plan under a GFM parser, with hostile values', () => {
  const plan = hostilePlan();
  const md = renderPlanMarkdown(plan);
  const root = render(md);
  const text = textOf(root).replace(/\u2060/g, '');

  it('produces no link, image, emphasis, strikethrough, heading, list, quote, footnote or script from a value', () => {
    expect(elements(root, 'a')).toEqual([]);
    expect(elements(root, 'img')).toEqual([]);
    expect(elements(root, 'del')).toEqual([]);
    expect(elements(root, 'script')).toEqual([]);
    expect(elements(root, 'input')).toEqual([]);
    expect(elements(root, 'b')).toEqual([]);
    expect(elements(root, 'h1')).toEqual([]);
    expect(elements(root, 'blockquote').length).toBe(1); // Roster's own caution
    expect(elements(root, 'ol')).toEqual([]);
    expect(elements(root, 'sup')).toEqual([]);
    expect(elements(root, 'em').map(textOf)).toEqual([]);
    // Roster's own bold labels, nothing else.
    const strong = new Set(elements(root, 'strong').map(textOf));
    expect([...strong].sort()).toEqual(['Photo', 'Profile', 'Signature', 'employee-error', 'max-changes']);
    expect(elements(root, 'h3').map(textOf)).toEqual([`Roster plan for ${HOSTILE[2]}`]);
  });

  it('keeps Roster structure: one fold per employee plus the warnings fold, tables with three cells per row', () => {
    expect(elements(root, 'details').length).toBe(2);
    expect(elements(root, 'summary').map(textOf)).toEqual([
      `Warnings (${HOSTILE.length})`,
      'kari@example.no — profile, photo, signature',
    ]);
    const [summary, fields] = elements(root, 'table');
    expect(elements(summary!, 'tr').length).toBe(10);
    const rows = elements(fields!, 'tr');
    expect(rows.map((r) => elements(r, 'td').length + elements(r, 'th').length)).toEqual([3, 3, 3]);
    expect(rows.map((r) => textOf(elements(r, 'td')[0] ?? elements(r, 'th')[0]!))).toEqual([
      'Field',
      'department',
      'jobTitle',
    ]);
  });

  it('shows every value as written (line breaks as spaces)', () => {
    for (const value of HOSTILE) expect(text).toContain(value.replace(/\n+/g, ' '));
    expect(text).toContain(HOSTILE.join(' ').replace(/\n+/g, ' '));
  });

  it('leaves nothing GitHub would turn into a mention or an issue reference outside code', () => {
    const outside = [...walk(root)]
      .filter((e) => e.node.nodeName === '#text' && !e.inside.includes('code') && !e.inside.includes('pre'))
      .map((e) => (e.node as DefaultTreeAdapterMap['textNode']).value)
      .join('\n');
    expect(outside).toContain('@\u2060octocat');
    expect(outside).not.toMatch(/(^|[^\w])@[a-z0-9]/im);
    expect(outside).not.toMatch(/(^|[^\w/-])#\d/m);
    expect(outside).not.toMatch(/\bGH-\d/i);
    expect(outside).toContain('kari@example.no');
  });

  it('hides the photo URL query string and keeps it in the plan data', () => {
    expect(md).not.toContain('token');
    expect(text).toContain('https://hr.example.no/p.jpg?…');
    expect(plan.actions.find((a) => a.kind === 'set-photo')).toMatchObject({
      sourceUrl: expect.stringContaining('?token='),
    });
    expect(renderPlanText(plan, { color: false })).toContain('← https://hr.example.no/p.jpg?…\n');
    expect(renderPlanText(plan, { color: false })).not.toContain('token');
  });

  it('keeps the signature diff inside one fence whatever backticks the text holds', () => {
    const pres = elements(root, 'pre');
    expect(pres.length).toBe(1);
    expect(textOf(pres[0]!)).toContain('+a ` b `` c ``` d');
  });
});
