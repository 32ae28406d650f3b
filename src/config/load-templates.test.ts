import { describe, expect, test } from 'vitest';
import { formatProblem } from '../errors/roster-error.js';
import { checkTemplateReferences, loadTemplates } from './load-templates.js';

function load(files: Record<string, string>) {
  const result = loadTemplates(Object.entries(files).map(([file, text]) => ({ file, text })));
  return { ...result, text: result.problems.map(formatProblem) };
}

describe('loadTemplates', () => {
  test('pairs html and text twins by name', () => {
    const { templates, problems } = load({
      'templates/default.txt.mustache': '{{employee.displayName}}',
      'templates/default.html.mustache': '<b>{{employee.displayName}}</b>',
      'templates/logo.png': 'not a template',
    });
    expect(problems).toEqual([]);
    expect([...templates.values()]).toEqual([
      {
        name: 'default',
        html: '<b>{{employee.displayName}}</b>',
        text: '{{employee.displayName}}',
        htmlFile: 'templates/default.html.mustache',
        textFile: 'templates/default.txt.mustache',
      },
    ]);
  });

  test('checks the HTML with a parser at load time, each problem at its file and line', () => {
    const { text } = load({
      'templates/x.txt.mustache': '{{employee.displayName}}',
      'templates/x.html.mustache':
        '<table>\n  <tr><td>\n    <svg/onload=alert(1)>\n    <a href="{{employee.jobTitle}}">x</a>\n</td></tr></table>\n',
    });
    expect(text).toEqual([
      'templates/x.html.mustache:3:5: error: <svg> is not allowed in a signature template',
      'templates/x.html.mustache:3:10: error: malformed HTML (unexpected-solidus-in-tag)',
      // Inside the unclosed <svg>, the parser makes this an SVG <a>: refused as such.
      'templates/x.html.mustache:4:5: error: <a> is not allowed in a signature template',
    ]);
  });

  const syntax: { name: string; html: string; expected: string }[] = [
    {
      name: 'unclosed section, placed at its opening tag',
      html: '<table>\n  <tr>\n    {{#employee.jobTitle}}<td>{{employee.jobTitle}}</td>\n  </tr>\n</table>\n',
      expected:
        'templates/x.html.mustache:3:5: error: template syntax error: unclosed section "employee.jobTitle"',
    },
    {
      name: 'unopened section',
      html: 'line one\nline two {{/office.city}}\n',
      expected:
        'templates/x.html.mustache:2:10: error: template syntax error: unopened section "office.city"',
    },
    {
      name: 'unclosed tag',
      html: 'a\nb\n  {{employee.email\n',
      expected: 'templates/x.html.mustache:3:3: error: template syntax error: unclosed tag',
    },
    {
      name: 'mismatched section',
      html: '{{#a}}\n{{/b}}\n',
      expected: 'templates/x.html.mustache:1:1: error: template syntax error: unclosed section "a"',
    },
  ];
  test.each(syntax)('mustache syntax error with its line: $name', ({ html, expected }) => {
    const result = load({ 'templates/x.html.mustache': html, 'templates/x.txt.mustache': 'ok' });
    expect(result.text).toEqual([expected]);
  });

  test('a template without its twin is an error; a badly named file is a warning', () => {
    const result = load({
      'templates/short.html.mustache': 'x',
      'templates/plain.txt.mustache': 'y',
      'templates/partial.mustache': 'z',
    });
    expect(result.text).toMatchInlineSnapshot(`
      [
        "templates/partial.mustache: warning: not a signature template: expected <name>.html.mustache or <name>.txt.mustache (ignored)",
        "templates/plain.txt.mustache: error: template 'plain' has no twin: templates/plain.html.mustache is missing",
        "templates/short.html.mustache: error: template 'short' has no twin: templates/short.txt.mustache is missing",
      ]
    `);
    expect(result.templates.size).toBe(0);
  });

  test('unknown template references are reported where they are written', () => {
    const { templates } = load({
      'templates/default.html.mustache': 'a',
      'templates/default.txt.mustache': 'a',
    });
    const problems = checkTemplateReferences(
      [
        { name: 'default', file: 'o.yaml', line: 1, column: 1, key: '/employees/0/template' },
        { name: 'fancy', file: 'o.yaml', line: 7, column: 15, key: '/employees/3/template' },
      ],
      templates,
    );
    expect(problems.map(formatProblem)).toEqual([
      "o.yaml:7:15 /employees/3/template: error: unknown template 'fancy' (templates/fancy.html.mustache not found; known: default)",
    ]);
  });
});
