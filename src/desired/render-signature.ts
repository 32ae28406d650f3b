import juice from 'juice';
import Mustache from 'mustache';
import type { SignatureTemplate } from '../config/settings.js';
import { stripControlChars } from './normalize-text.js';
import { renderTemplate } from './render-template.js';
import { checkUrl, isValidEmail, urlLabel } from './validate-url.js';

/** Outlook's add-in API caps a signature at 30,000 characters; Exchange documents no limit of its own. */
export const MAX_SIGNATURE_CHARS = 30_000;

/** Employee values a template can use (already normalized plain text; empty when unknown). */
export interface SignatureEmployee {
  givenName: string;
  surname: string;
  displayName: string;
  jobTitle: string;
  department: string;
  officeLocation: string;
  mobilePhone: string;
  email: string;
  /** Absolute https URL of the profile photo. */
  photoUrl: string;
}

/** Office values a template can use. */
export interface SignatureOffice {
  name: string;
  streetAddress: string;
  postalCode: string;
  city: string;
  phone: string;
  email: string;
  /** https URL of the office's (or company's) home page. */
  homepage: string;
}

/**
 * Everything one signature is rendered from. `variables` are the company variables from
 * `settings.signatures.variables` with office and employee override variables laid over them.
 */
export interface SignatureView {
  employee: SignatureEmployee;
  office: SignatureOffice;
  variables: Record<string, string>;
}

/** A view value that was refused and rendered as empty (its section vanishes). */
export interface SignatureWarning {
  /** `employee.photoUrl`, `office.homepage`, `logoUrl`, … */
  variable: string;
  message: string;
}

export type RenderedSignature =
  | { html: string; text: string; warnings: SignatureWarning[] }
  | { error: { kind: 'template-error' | 'signature-too-long'; message: string } };

/** Variables whose names say they hold a link: only https passes. */
const URL_VARIABLE = /(url|href|website|homepage)$/i;
/** Variables that end up in width/height attributes. */
const SIZE_VARIABLE = /(width|height)$/i;

function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function noEscape(value: unknown): string {
  return String(value);
}

function telHref(phone: string): string {
  const digits = phone.replace(/[^\d+]/g, '');
  return /^\+?\d{3,20}$/.test(digits) ? `tel:${digits}` : '';
}

function mailHref(email: string): string {
  return email && isValidEmail(email) ? `mailto:${email}` : '';
}

/**
 * A template checked and with its CSS inlined, ready to render any number of signatures: preparing
 * is the slow part (juice parses the whole template), so a run prepares each template once
 * (`createSignatureRenderer`).
 */
export type PreparedTemplate =
  { template: SignatureTemplate; html: string } | { template: SignatureTemplate; error: string };

function forbiddenTokens(tokens: unknown[], out: string[]): void {
  for (const token of tokens as [string, string, number, number, unknown[]?][]) {
    if (token[0] === '&') out.push(`unescaped variable "${token[1]}" ({{{…}}} or {{&…}})`);
    if (token[0] === '>') out.push(`partial "${token[1]}"`);
    if (Array.isArray(token[4])) forbiddenTokens(token[4], out);
  }
}

const LINK_ATTRIBUTE =
  /\s(href|src|background|action|formaction|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
const SINGLE_VARIABLE = /^\{\{\s*([\w.]+)\s*\}\}$/;
/** Variables the renderer itself validates as https. */
const HTTPS_VARIABLES = new Set(['employee.photoUrl', 'office.homepage']);
/** Links the renderer builds from email and phone. */
const BUILT_LINKS = new Set([
  'employee.emailHref',
  'employee.mobileTel',
  'office.emailHref',
  'office.phoneTel',
]);

function isHttpsVariable(name: string): boolean {
  return HTTPS_VARIABLES.has(name) || (!name.includes('.') && URL_VARIABLE.test(name));
}

/**
 * Checked once per template rather than per employee: a link attribute holds a literal
 * https:/mailto:/tel: URL or exactly one variable the renderer validates or builds. Together
 * with escaping, no value can ever produce a `javascript:` (or `data:`, `file:`) link.
 */
function badLink(html: string): string | undefined {
  for (const m of html.matchAll(LINK_ATTRIBUTE)) {
    const attribute = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? m[3] ?? m[4] ?? '';
    const isHref = attribute === 'href';
    const variable = SINGLE_VARIABLE.exec(value)?.[1];
    if (variable !== undefined) {
      if (isHttpsVariable(variable) || (isHref && BUILT_LINKS.has(variable))) continue;
      return `${attribute}="${value}": a link may only hold a URL variable (https-checked) or a built mailto:/tel: link`;
    }
    const scheme = isHref ? /^(https:\/\/|mailto:|tel:)/i : /^https:\/\//i;
    if (!value.includes('{{') && (value === '' || scheme.test(value))) continue;
    return `${attribute}="${value.slice(0, 60)}": links must be literal https:${isHref ? ', mailto: or tel:' : ''} URLs or a single URL variable`;
  }
  return undefined;
}

function parse(source: string, file: string): unknown[] | string {
  try {
    return Mustache.parse(source);
  } catch (e) {
    return `${file}: ${(e as Error).message}`;
  }
}

function check(template: SignatureTemplate): { html: string } | { error: string } {
  const text = parse(template.text, template.textFile);
  if (typeof text === 'string') return { error: text };
  const tokens = parse(template.html, template.htmlFile);
  if (typeof tokens === 'string') return { error: tokens };
  const forbidden: string[] = [];
  forbiddenTokens(tokens, forbidden);
  if (forbidden.length > 0) {
    // Values are only safe because every one of them is escaped; a template may not opt out.
    return { error: `${template.htmlFile}: not allowed in signature templates: ${forbidden.join(', ')}` };
  }
  if (/<script\b|<[^>]*\son[a-z]+\s*=/i.test(template.html)) {
    return { error: `${template.htmlFile}: scripts and event handler attributes are not allowed` };
  }
  const link = badLink(template.html);
  if (link) return { error: `${template.htmlFile}: ${link}` };
  // Inlined once per template, not per employee: the mustache tags survive as text, and
  // Outlook drops <style> blocks, so the output must carry its styles inline.
  const html = juice(template.html, {
    removeStyleTags: true,
    preserveMediaQueries: false,
    preserveFontFaces: false,
    preserveKeyFrames: false,
    preservePseudos: false,
    preserveImportant: true,
    // Keep the template's own width/height attributes (juice would turn width:100% into width="100%").
    applyWidthAttributes: false,
    applyHeightAttributes: false,
  });
  return { html };
}

/** Checks `template` and inlines its CSS (see `PreparedTemplate`). */
export function prepareTemplate(template: SignatureTemplate): PreparedTemplate {
  try {
    return { template, ...check(template) };
  } catch (e) {
    return { template, error: `${template.htmlFile}: ${(e as Error).message}` };
  }
}

function safeUrl(value: string, variable: string, warnings: SignatureWarning[]): string {
  if (!value) return '';
  const checked = checkUrl(value, ['https:']);
  if (checked.ok) return checked.value;
  warnings.push({ variable, message: `${variable} ${checked.reason}; left out of the signature` });
  return '';
}

function buildContext(view: SignatureView, warnings: SignatureWarning[]): Record<string, unknown> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(view.variables)) {
    if (URL_VARIABLE.test(name)) {
      const href = safeUrl(value, name, warnings);
      variables[name] = href;
      if (href && view.variables[`${name}Label`] === undefined) variables[`${name}Label`] = urlLabel(href);
    } else if (SIZE_VARIABLE.test(name) && value && !/^\d{1,4}$/.test(value)) {
      warnings.push({ variable: name, message: `${name} must be a whole number of pixels; left out` });
      variables[name] = '';
    } else variables[name] = value;
  }
  const homepage = safeUrl(view.office.homepage, 'office.homepage', warnings);
  const employee = {
    ...view.employee,
    photoUrl: safeUrl(view.employee.photoUrl, 'employee.photoUrl', warnings),
    mobileTel: telHref(view.employee.mobilePhone),
    emailHref: mailHref(view.employee.email),
  };
  const office = {
    ...view.office,
    homepage,
    homepageLabel: homepage ? urlLabel(homepage) : '',
    phoneTel: telHref(view.office.phone),
    emailHref: mailHref(view.office.email),
  };
  return { ...variables, employee, office };
}

/**
 * Render one signature (HTML + plain-text twin) from a prepared template. Every value is
 * HTML-escaped; link-valued variables must be https (mailto:/tel: links are built here from email
 * and phone); refused values render as empty and come back as warnings.
 */
export function renderPrepared(ready: PreparedTemplate, view: SignatureView): RenderedSignature {
  if ('error' in ready) return { error: { kind: 'template-error', message: ready.error } };
  const { template } = ready;
  const warnings: SignatureWarning[] = [];
  const context = buildContext(view, warnings);
  let html: string;
  let text: string;
  try {
    html = renderTemplate(ready.html, context, escapeHtml);
    text = stripControlChars(renderTemplate(template.text, context, noEscape)).trim() + '\n';
  } catch (e) {
    return { error: { kind: 'template-error', message: `${template.name}: ${(e as Error).message}` } };
  }
  if (html.length > MAX_SIGNATURE_CHARS) {
    return {
      error: {
        kind: 'signature-too-long',
        message: `signature HTML is ${html.length} characters; at most ${MAX_SIGNATURE_CHARS} are allowed`,
      },
    };
  }
  return { html: html.trim(), text, warnings };
}

/** `renderPrepared` of a template prepared for this one signature (one-off renderings and tests). */
export function renderSignature(template: SignatureTemplate, view: SignatureView): RenderedSignature {
  return renderPrepared(prepareTemplate(template), view);
}
