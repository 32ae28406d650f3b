import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import { loadTemplate } from '../../test/support/builders.js';
import { renderTemplate } from './render-template.js';

const view = {
  employee: { first_name: 'Søren', last_name: 'Ærø', title: '', phone: '+47 91 23 45 67', undef: undefined },
  office: { name: 'Oslo', homepage: 'https://contoso.no/?a=1&b=<2>' },
  companyName: 'Contoso AS',
  list: [{ n: 'a' }, { n: 'b' }],
  empty: [],
  zero: 0,
  count: 3,
  flag: true,
  no: false,
};

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

describe('renderTemplate matches Mustache.render', () => {
  it.each([
    '{{employee.first_name}} {{employee.last_name}}',
    'plain text only',
    '{{missing}}|{{employee.missing}}|{{missing.deep.path}}',
    '{{office.homepage}} {{{office.homepage}}} {{& office.homepage}}',
    '{{#employee.title}}T:{{employee.title}}{{/employee.title}}{{^employee.title}}no title{{/employee.title}}',
    '{{#employee.phone}}[{{.}}|{{employee.first_name}}|{{companyName}}]{{/employee.phone}}',
    '{{#office}}{{name}} {{companyName}}{{/office}}',
    '{{#list}}<{{n}}>{{/list}}{{^empty}}none{{/empty}}{{#empty}}never{{/empty}}',
    '{{#zero}}z{{/zero}}{{^zero}}zero is falsy{{/zero}} {{#count}}c{{/count}} {{#flag}}yes {{companyName}}{{/flag}}{{#no}}never{{/no}}',
    '{{#employee.undef}}x{{/employee.undef}}{{employee.undef}}',
    '{{! a comment }}before\n  {{#companyName}}\n  line\n  {{/companyName}}\nafter',
    '{{=<% %>=}}<% companyName %> <%={{ }}=%>{{companyName}}',
    '{{> partial}}rest',
    '{{#office}}{{#list}}{{name}}-{{n}};{{/list}}{{/office}}',
  ])('%j', (template) => {
    expect(renderTemplate(template, view, escape)).toBe(Mustache.render(template, view, {}, { escape }));
  });

  it.each(['default', 'compact'])('renders the real %s templates identically', (name) => {
    const t = loadTemplate(name);
    const signatureView = {
      employee: {
        displayName: 'Søren <Ærø>',
        jobTitle: '',
        mobilePhone: '+47 91 23 45 67',
        mobileTel: 'tel:+4791234567',
      },
      office: { city: 'Oslo', streetAddress: 'Karl Johans gate 1', homepage: '' },
      website: 'https://contoso.no/',
      websiteLabel: 'contoso.no',
      logoUrl: 'https://cdn.contoso.no/logo.png',
    };
    for (const source of [t.html, t.text]) {
      expect(renderTemplate(source, signatureView, escape)).toBe(
        Mustache.render(source, signatureView, {}, { escape }),
      );
    }
  });

  it('throws mustache syntax errors', () => {
    expect(() => renderTemplate('{{#a}}', {}, escape)).toThrowErrorMatchingInlineSnapshot(
      `[Error: Unclosed section "a" at 6]`,
    );
  });
});
