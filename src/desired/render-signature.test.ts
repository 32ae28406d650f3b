import { describe, expect, it } from 'vitest';
import type { SignatureTemplate } from '../config/settings.js';
import { buildSettings, loadTemplate } from '../../test/support/builders.js';
import { renderSignature } from './render-signature.js';
import type { RenderedSignature, SignatureView } from './render-signature.js';
import { signatureUrlPolicy } from './url-policy.js';

const templates = { default: loadTemplate('default'), compact: loadTemplate('compact') };

/** Photos from the HR host; links and images under contoso.no (what the scope default gives). */
const POLICY = signatureUrlPolicy({
  photos: { ...buildSettings().photos, allowedHosts: ['hr.contoso.no'] },
  signatures: buildSettings().signatures,
  scope: { domains: ['contoso.no'] },
});

function view(
  employee: Partial<SignatureView['employee']> = {},
  office: Partial<SignatureView['office']> = {},
  variables: Record<string, string> = {},
): SignatureView {
  return {
    employee: {
      givenName: 'Søren',
      surname: 'Ærø',
      displayName: 'Søren Ærø',
      jobTitle: 'Senior rådgiver',
      department: 'Salg',
      officeLocation: 'Oslo',
      mobilePhone: '+47 91 23 45 67',
      email: 'soren.aero@contoso.no',
      photoUrl: 'https://hr.contoso.no/photos/1.jpg',
      ...employee,
    },
    office: {
      name: 'Oslo',
      streetAddress: 'Karl Johans gate 1',
      postalCode: '0154',
      city: 'Oslo',
      phone: '+47 22 12 34 56',
      email: 'oslo@contoso.no',
      homepage: 'https://contoso.no/oslo',
      ...office,
    },
    variables: { companyName: 'Contoso AS', logoUrl: 'https://cdn.contoso.no/logo.png', ...variables },
    urls: POLICY,
  };
}

function ok(result: RenderedSignature) {
  if ('error' in result) throw new Error(`unexpected error: ${result.error.message}`);
  return result;
}

function inline(html: string, text = 'x'): SignatureTemplate {
  return {
    name: 'inline',
    html,
    text,
    htmlFile: 'templates/inline.html.mustache',
    textFile: 'templates/inline.txt.mustache',
  };
}

describe.each(['default', 'compact'] as const)('renderSignature with the %s template', (name) => {
  const template = templates[name];

  it('inlines the CSS: no <style> block left, styles on the elements', () => {
    const { html } = ok(renderSignature(template, view()));
    expect(html).not.toMatch(/<style/i);
    expect(html).toMatch(/<td[^>]*style="[^"]*font-family: 'Segoe UI', Arial/);
    expect(html).toMatch(/<a href="mailto:soren\.aero@contoso\.no" style="[^"]*color: #1a73e8/);
  });

  it('stays within 600 px, loads images only by https and uses no pure black', () => {
    const { html } = ok(renderSignature(template, view()));
    const widths = [...html.matchAll(/width[:=]\s*"?(\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(...widths)).toBe(600);
    const sources = [...html.matchAll(/src="([^"]*)"/g)].map((m) => m[1]);
    expect(sources.length).toBeGreaterThan(0);
    for (const src of sources) expect(src).toMatch(/^https:\/\//);
    expect(html).not.toMatch(/#000\b|#000000|color:\s*black/i);
  });

  it('escapes HTML and script in names and titles', () => {
    const { html } = ok(
      renderSignature(
        template,
        view({ displayName: '"><img src=x onerror=alert(1)>', jobTitle: '<script>alert(1)</script>' }),
      ),
    );
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img src=x/);
  });

  it.each([
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,<b>x</b>',
    'file:///etc/passwd',
    'http://contoso.no',
  ])('drops the URL %s from homepage, website and logo, with warnings', (bad) => {
    const result = ok(
      renderSignature(template, view({ photoUrl: bad }, { homepage: bad }, { website: bad, logoUrl: bad })),
    );
    for (const out of [result.html, result.text]) {
      expect(out.toLowerCase()).not.toContain(bad.toLowerCase().slice(0, 10));
    }
    expect(result.warnings.map((w) => w.variable).sort()).toEqual([
      'employee.photoUrl',
      'logoUrl',
      'office.homepage',
      'website',
    ]);
  });

  it.each([
    [
      'https://evil.example/phish',
      'has the host "evil.example", which is not on signatures.allowedHosts',
      'evil',
    ],
    ['https://contoso.no.evil.example/x', 'has the host "contoso.no.evil.example"', 'evil'],
    ['https://user:pw@contoso.no/x', 'must not carry a user name or password', 'user:pw'],
  ])('drops the off-policy URL %s from homepage, website and logo, with warnings', (bad, why, marker) => {
    const result = ok(
      renderSignature(template, view({ photoUrl: bad }, { homepage: bad }, { website: bad, logoUrl: bad })),
    );
    for (const out of [result.html, result.text]) expect(out).not.toContain(marker);
    expect(result.warnings.map((w) => w.variable).sort()).toEqual([
      'employee.photoUrl',
      'logoUrl',
      'office.homepage',
      'website',
    ]);
    expect(result.warnings.find((w) => w.variable === 'office.homepage')?.message).toContain(why);
    expect(result.warnings.find((w) => w.variable === 'employee.photoUrl')?.message).toMatch(
      /photos\.allowedHosts|user name/,
    );
  });

  it('keeps emoji and right-to-left text intact', () => {
    const { html, text } = ok(
      renderSignature(template, view({ displayName: 'יעל כהן 👩🏽‍💻', jobTitle: 'مدير المبيعات' })),
    );
    for (const out of [html, text]) {
      expect(out).toContain('יעל כהן 👩🏽‍💻');
      expect(out).toContain('مدير المبيعات');
    }
  });
});

describe('renderSignature: empty values vanish', () => {
  it('leaves no Mobile label when the mobile number is empty (HTML and text)', () => {
    const full = ok(renderSignature(templates.default, view()));
    expect(full.html).toContain('>Mobile</span>');
    expect(full.text).toContain('Mobile: +47 91 23 45 67');
    const empty = ok(renderSignature(templates.default, view({ mobilePhone: '' })));
    expect(empty.html).not.toContain('Mobile');
    expect(empty.text).not.toContain('Mobile');
  });

  it('leaves out photo, office lines and logo when they are empty', () => {
    const { html, text } = ok(
      renderSignature(
        templates.default,
        view(
          { photoUrl: '', jobTitle: '' },
          { phone: '', city: '', homepage: '' },
          { logoUrl: '', companyName: '' },
        ),
      ),
    );
    expect(html).not.toContain('<img');
    expect(html).not.toContain('Office');
    expect(html).not.toContain('Karl Johans');
    expect(text).toMatchInlineSnapshot(`
      "Søren Ærø
      Salg

      Mobile: +47 91 23 45 67
      Email: soren.aero@contoso.no
      "
    `);
  });

  it('builds tel: and mailto: links itself', () => {
    const { html } = ok(renderSignature(templates.default, view()));
    expect(html).toContain('href="tel:+4791234567"');
    expect(html).toContain('href="tel:+4722123456"');
    expect(html).toContain('href="mailto:soren.aero@contoso.no"');
  });
});

describe('renderSignature: the plain-text twin', () => {
  it('renders a realistic Norwegian employee', () => {
    const { text } = ok(renderSignature(templates.default, view({}, {}, { website: 'https://contoso.no' })));
    expect(text).toMatchInlineSnapshot(`
      "Søren Ærø
      Senior rådgiver
      Salg · Contoso AS

      Mobile: +47 91 23 45 67
      Office: +47 22 12 34 56
      Email: soren.aero@contoso.no
      Karl Johans gate 1, 0154 Oslo
      https://contoso.no/oslo
      "
    `);
  });

  it('is not HTML-escaped but loses control characters from the template', () => {
    const { text } = ok(
      renderSignature(inline('<p>x</p>', 'A & B <{{employee.jobTitle}}>\u0007\n'), view({ jobTitle: 'R&D' })),
    );
    expect(text).toBe('A & B <R&D>\n');
  });
});

describe('renderSignature: refusals', () => {
  it.each([
    ['triple mustache', '<p>{{{employee.jobTitle}}}</p>'],
    ['ampersand tag', '<p>{{& employee.jobTitle}}</p>'],
    [
      'triple mustache inside a section',
      '{{#employee.jobTitle}}<p>{{{employee.jobTitle}}}</p>{{/employee.jobTitle}}',
    ],
    ['unescaped tag behind changed delimiters', '{{=<% %>=}}<p><%{employee.jobTitle}%></p>'],
  ])('refuses a template with a %s', (_, html) => {
    const result = renderSignature(inline(html), view({ jobTitle: '<script>alert(1)</script>' }));
    expect(result).toEqual({
      error: {
        kind: 'template-error',
        message:
          'templates/inline.html.mustache: not allowed in signature templates: unescaped variable "employee.jobTitle" ({{{…}}} or {{&…}})',
      },
    });
  });

  it.each([
    ['a script', '<p>x</p><script>alert(1)</script>', '1:9: <script> is not allowed in a signature template'],
    [
      'an event handler',
      '<p onclick="alert(1)">x</p>',
      '1:4: attribute "onclick" is not allowed on <p> (event handlers never are)',
    ],
    [
      'a non-URL variable in a link',
      '<a href="{{employee.jobTitle}}">x</a>',
      '1:4: <a href="{{employee.jobTitle}}">: a link may only hold a URL variable (https-checked) or a built mailto:/tel: link',
    ],
    [
      'a built mailto: link as an image',
      '<img src="{{employee.emailHref}}">',
      '1:6: <img src="{{employee.emailHref}}">: a link may only hold a URL variable (https-checked) or a built mailto:/tel: link',
    ],
    [
      'a URL variable with a prefix',
      '<a href="x{{website}}">x</a>',
      '1:4: <a href="x{{website}}">: a link must be a literal https:, mailto: or tel: URL or exactly one URL variable',
    ],
    [
      'a literal javascript: link',
      "<a href='javascript:alert(1)'>x</a>",
      '1:4: <a href="javascript:alert(1)">: a link must be a literal https:, mailto: or tel: URL or exactly one URL variable',
    ],
    [
      'an svg with onload after a slash',
      '<svg/onload=alert(1)>',
      '1:1: <svg> is not allowed in a signature template',
    ],
    [
      'a link attribute after a slash',
      '<a/href="{{employee.jobTitle}}">x</a>',
      '1:4: malformed HTML (unexpected-solidus-in-tag)',
    ],
    [
      'a CSS url() around a variable',
      '<p style="background:url({{website}})">x</p>',
      '1:4: style: {{website}}: only width and height variables may appear in CSS',
    ],
    [
      'an unquoted data: image',
      '<img src=data:image/png;base64,AAAA>',
      '1:6: <img src="data:image/png;base64,AAAA">: a link must be a literal https: URL or exactly one URL variable',
    ],
  ])('refuses a template with %s', (_, html, problem) => {
    const result = renderSignature(inline(html), view({ jobTitle: 'javascript:alert(1)' }));
    expect(result).toEqual({
      error: { kind: 'template-error', message: `templates/inline.html.mustache:${problem}` },
    });
  });

  it('accepts literal https, mailto and tel links and validated variables', () => {
    const html =
      '<a href="https://contoso.no">a</a><a href="mailto:x@contoso.no">b</a><a href="{{employee.mobileTel}}">c</a><img src="{{logoUrl}}">';
    expect(ok(renderSignature(inline(html), view())).html).toBe(
      '<a href="https://contoso.no">a</a><a href="mailto:x@contoso.no">b</a><a href="tel:+4791234567">c</a><img src="https://cdn.contoso.no/logo.png">',
    );
  });

  it('reports a syntax error in a template', () => {
    expect(renderSignature(inline('<p>{{#a}}</p>'), view())).toEqual({
      error: {
        kind: 'template-error',
        message: 'templates/inline.html.mustache: Unclosed section "a" at 13',
      },
    });
  });

  it('refuses HTML over 30,000 characters and accepts it just under', () => {
    const template = inline('<p>{{employee.jobTitle}}</p>');
    expect(renderSignature(template, view({ jobTitle: 'x'.repeat(30_000 - 7) }))).toMatchObject({
      warnings: [],
    });
    expect(renderSignature(template, view({ jobTitle: 'x'.repeat(30_000 - 6) }))).toEqual({
      error: {
        kind: 'signature-too-long',
        message: 'signature HTML is 30001 characters; at most 30000 are allowed',
      },
    });
  });

  it('refuses a non-numeric logo width', () => {
    const result = ok(renderSignature(templates.default, view({}, {}, { logoWidth: '100" onload="x' })));
    expect(result.html).toContain('width="160"');
    expect(result.warnings).toEqual([
      { variable: 'logoWidth', message: 'logoWidth must be a whole number of pixels; left out' },
    ]);
  });
});

describe.each(['default', 'compact'] as const)('the campaign section of the %s template', (name) => {
  const template = templates[name];
  const banner = {
    id: 'winter-sale',
    name: 'Winter sale',
    image: 'https://cdn.contoso.no/winter.png',
    width: 480,
    alt: 'Winter sale, 20 % off',
    link: 'https://contoso.no/sale?utm_source=email-signature&utm_campaign=winter-sale',
  };

  it('shows the banner, linked with its utm parameters, in HTML and text', () => {
    const result = ok(renderSignature(template, { ...view(), campaign: banner }));
    expect(result.html).toMatch(
      /<a href="https:\/\/contoso\.no\/sale\?utm_source=email-signature&amp;utm_campaign=winter-sale"[^>]*><img class="banner" src="https:\/\/cdn\.contoso\.no\/winter\.png" width="480" alt="Winter sale, 20 % off"/,
    );
    expect(result.text).toContain(
      'Winter sale, 20 % off: https://contoso.no/sale?utm_source=email-signature&utm_campaign=winter-sale',
    );
    expect(ok(renderSignature(template, { ...view(), campaign: { ...banner, height: 60 } })).html).toMatch(
      /height="60" alt="Winter sale, 20 % off"/,
    );
  });

  it('without a campaign renders byte for byte what the template rendered before it had the section', () => {
    const without = (source: string) =>
      source.replace(/\n *\{\{#campaign\}\}[\s\S]*?\{\{\/campaign\}\}/g, '');
    const before = { ...template, html: without(template.html), text: without(template.text) };
    expect(before.html).not.toContain('{{#campaign}}');
    const now = ok(renderSignature(template, view()));
    const then = ok(renderSignature(before, view()));
    expect(now.html).toBe(then.html);
    expect(now.text).toBe(then.text);
  });

  it('leaves out a banner whose URL is off the link policy, with a warning', () => {
    const result = ok(
      renderSignature(template, { ...view(), campaign: { ...banner, link: 'https://evil.example/sale' } }),
    );
    expect(result.html).not.toContain('evil');
    expect(result.html).not.toContain('winter.png');
    expect(result.warnings.map((w) => w.variable)).toEqual(['campaign.link']);
  });
});
