import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signatureLinkRule } from '../desired/url-policy.js';
import { checkTemplateHtml } from './check-template-html.js';

const problems = (html: string) => checkTemplateHtml(html).map((p) => `${p.line}:${p.column} ${p.message}`);

describe('checkTemplateHtml', () => {
  it.each(['default', 'compact'])('accepts the shipped %s template', (name) => {
    const html = readFileSync(new URL(`../../templates/${name}.html.mustache`, import.meta.url), 'utf8');
    expect(
      checkTemplateHtml(html, signatureLinkRule({ signatures: {}, scope: { domains: ['example.no'] } })),
    ).toEqual([]);
  });

  // Each of these carried `javascript:` (or a script) through the pattern list it replaces.
  it.each([
    ['<svg/onload=alert(1)>', ['malformed HTML (unexpected-solidus-in-tag)', '<svg> is not allowed']],
    [
      '<a/href="{{employee.jobTitle}}">x</a>',
      ['malformed HTML (unexpected-solidus-in-tag)', 'a link may only hold'],
    ],
    ['<object data="{{website}}"></object>', ['<object> is not allowed']],
    ['<meta http-equiv="refresh" content="0;url={{website}}">', ['<meta> is not allowed']],
    [
      '<p style="background:url({{website}})">x</p>',
      ['{{website}}: only width and height variables', 'url() is not allowed'],
    ],
    ['<p style="background:url(javascript:alert(1))">x</p>', ['url() is not allowed']],
    ['<p style="background:u&#114;l(https://evil.example/x)">x</p>', ['url() is not allowed']],
    ['<p style="background:u\\72l(x)">x</p>', ['CSS escapes']],
    ['<p style="width:expression(alert(1))">x</p>', ['expression() is not allowed']],
    [
      '<style>td { background-image: image-set("https://evil.example/x" 1x) }</style>',
      ['image-set() is not allowed'],
    ],
    ['<style>@import "https://evil.example/x.css";</style>', ['at-rules']],
    ['<style>td { color: {{employee.jobTitle}} }</style>', ['only width and height variables']],
    ['<svg><a xlink:href="{{website}}"><text>x</text></a></svg>', ['<svg> is not allowed']],
    [
      '<img srcset="{{website}} 1x" src="https://example.no/a.png">',
      ['attribute "srcset" is not allowed on <img>'],
    ],
    ['<img src="{{employee.photoUrl}}" onerror="alert(1)">', ['attribute "onerror" is not allowed']],
    [
      '<form action="{{website}}"><button formaction="{{website}}">x</button></form>',
      ['<form> is not allowed'],
    ],
    ['<video poster="{{website}}"></video>', ['<video> is not allowed']],
    ['<a href="javascript&#58;alert(1)">x</a>', ['a link must be a literal https:']],
    ['<a href=" javascript:alert(1)">x</a>', ['a link must be a literal https:']],
    ['<a href="https://ok.example" href="javascript:alert(1)">x</a>', ['duplicate-attribute']],
    ['<img alt={{employee.displayName}} src="https://example.no/a.png">', ['must be quoted']],
    ['<{{employee.jobTitle}} onload=alert(1)>', ["a '<' that starts no tag"]],
    ['<p>x</p><body onload="alert(1)">', ['"<body": a \'<\' that starts no tag']],
    [
      '<!--[if mso]><v:rect href="{{employee.jobTitle}}"/><![endif]-->',
      ['an HTML comment may hold plain text only'],
    ],
    ['{{=<% %>=}}<a href="<%employee.jobTitle%>">x</a>', ['changing the mustache delimiters']],
    ['<table><tr><td background="{{employee.jobTitle}}">x</td></tr></table>', ['a link may only hold']],
    ['<iframe src="https://example.no"></iframe>', ['<iframe> is not allowed']],
    ['<base href="https://evil.example/">', ['<base> is not allowed']],
    ['<math><mtext><a href="javascript:alert(1)">x</a></mtext></math>', ['<math> is not allowed']],
  ])('refuses %s', (html, expected) => {
    const found = problems(html).join('\n');
    for (const part of expected) expect(found).toContain(part);
  });

  it('places problems at their line and column, past mustache comments holding markup', () => {
    const html = '{{! a comment with <script> and <style> in it }}\n<p>\n  <b onclick="x">a</b>\n</p>';
    expect(problems(html)).toEqual([
      '3:6 attribute "onclick" is not allowed on <b> (event handlers never are)',
    ]);
  });

  it('checks literal https URLs against the link hosts when they are known', () => {
    const rule = signatureLinkRule({ signatures: {}, scope: { domains: ['example.no'] } });
    const html = '<a href="https://www.example.no/">a</a><img src="https://evil.example/pixel.gif">';
    expect(checkTemplateHtml(html, rule).map((p) => p.message)).toEqual([
      '<img src="https://evil.example/pixel.gif">: the URL has the host "evil.example", which is not on signatures.allowedHosts (by default the scope domains)',
    ]);
  });

  it('accepts what templates need: sections around rows, size variables in CSS, built links', () => {
    const html = [
      '<table><tr>{{#employee.photoUrl}}<td><img src="{{employee.photoUrl}}" width="96" alt="{{employee.displayName}}"></td>{{/employee.photoUrl}}',
      '<td style="width:{{logoWidth}}px;color:rgb(60,64,67)"><a href="{{employee.mobileTel}}">{{employee.mobilePhone}}</a>',
      '<a href="mailto:post@example.no">post</a> <a href="{{office.homepage}}" target="_blank">{{office.homepageLabel}}</a> &lt;3</td></tr></table>',
    ].join('\n');
    expect(problems(html)).toEqual([]);
  });
});
