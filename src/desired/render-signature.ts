import juice from 'juice';
import Mustache from 'mustache';
import type { SignatureTemplate } from '../config/settings.js';
import { stripControlChars } from './normalize-text.js';
import { renderTemplate } from './render-template.js';
import { checkTemplateHtml } from '../config/check-template-html.js';
import { SIZE_VARIABLE, URL_VARIABLE } from './signature-variables.js';
import { checkSourceUrl, type SignatureUrlPolicy, type UrlRule } from './url-policy.js';
import { isValidEmail, urlLabel } from './validate-url.js';

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
 * A campaign's banner as a template shows it inside `{{#campaign}}…{{/campaign}}`: `image` (https
 * URL), `width`, `height` (empty: the image's proportions), `alt`, `link` (with its utm_*
 * parameters), `name` and `id`.
 */
export interface SignatureCampaign {
  id: string;
  name: string;
  image: string;
  width: number;
  height?: number;
  alt: string;
  link: string;
}

/**
 * Everything one signature is rendered from. `variables` are the company variables from
 * `settings.signatures.variables` with office and employee override variables laid over them.
 */
export interface SignatureView {
  employee: SignatureEmployee;
  office: SignatureOffice;
  variables: Record<string, string>;
  /** The hosts and schemes its URLs must keep to (`signatureUrlPolicy` of the settings). */
  urls: SignatureUrlPolicy;
  /**
   * The banner of the campaign the employee is in at the plan's moment. Absent, never undefined:
   * without a campaign the view (and so the signature, byte for byte) is what it was before one.
   */
  campaign?: SignatureCampaign;
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
  // The same check `loadTemplates` reports at load time; here too, so no template renders unchecked.
  const [problem] = checkTemplateHtml(template.html);
  if (problem) return { error: `${template.htmlFile}:${problem.line}:${problem.column}: ${problem.message}` };
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

function safeUrl(value: string, variable: string, warnings: SignatureWarning[], rule: UrlRule): string {
  if (!value) return '';
  const checked = checkSourceUrl(value, rule);
  if (checked.ok) return checked.value;
  warnings.push({ variable, message: `${variable} ${checked.reason}; left out of the signature` });
  return '';
}

function buildContext(view: SignatureView, warnings: SignatureWarning[]): Record<string, unknown> {
  const variables: Record<string, string> = {};
  for (const [name, value] of Object.entries(view.variables)) {
    if (URL_VARIABLE.test(name)) {
      const href = safeUrl(value, name, warnings, view.urls.link);
      variables[name] = href;
      if (href && view.variables[`${name}Label`] === undefined) variables[`${name}Label`] = urlLabel(href);
    } else if (SIZE_VARIABLE.test(name) && value && !/^\d{1,4}$/.test(value)) {
      warnings.push({ variable: name, message: `${name} must be a whole number of pixels; left out` });
      variables[name] = '';
    } else variables[name] = value;
  }
  const homepage = safeUrl(view.office.homepage, 'office.homepage', warnings, view.urls.link);
  const employee = {
    ...view.employee,
    photoUrl: safeUrl(view.employee.photoUrl, 'employee.photoUrl', warnings, view.urls.photo),
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
  const campaign = view.campaign ? campaignContext(view.campaign, view.urls.link, warnings) : undefined;
  return { ...variables, employee, office, ...(campaign ? { campaign } : {}) };
}

/** The banner with its URLs checked again (loading checked them already): refused, no banner. */
function campaignContext(
  campaign: SignatureCampaign,
  rule: UrlRule,
  warnings: SignatureWarning[],
): Record<string, unknown> | undefined {
  const image = safeUrl(campaign.image, 'campaign.image', warnings, rule);
  const link = safeUrl(campaign.link, 'campaign.link', warnings, rule);
  if (!image || !link) return undefined;
  return { ...campaign, image, link, height: campaign.height ?? '' };
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
