import type { Settings } from '../config/settings.js';
import { isHostAllowed, normalizeHost } from './host-allow-list.js';
import { checkUrl, type CheckedUrl } from './validate-url.js';

/**
 * The one policy for URLs that come from HR data or overrides and end up where a person or a
 * mail client loads them: photo downloads, signature images and links. Pure: the photo fetcher
 * resolves names and checks addresses on top of it; the dashboard shows no HR URL as a link.
 */
export interface UrlRule {
  /** `['https:']`, or `['http:', 'https:']` for photo downloads. */
  schemes: readonly string[];
  /** Exact hosts or `*.suffix` (see `isHostAllowed`); an empty list allows nothing. */
  allowedHosts: readonly string[];
  /** The setting that lists the hosts, for messages: `photos.allowedHosts`. */
  setting: string;
}

/**
 * `raw` when it is an absolute URL with one of the rule's schemes, without user name or password
 * (they would leak into signatures, plans and logs), whose host is on the rule's allow-list.
 * Refusal reasons read after the URL's name: "office.homepage has the host …".
 */
export function checkSourceUrl(raw: string, rule: UrlRule): CheckedUrl {
  const checked = checkUrl(raw, rule.schemes);
  if (!checked.ok || isHostAllowed(checked.url.hostname, rule.allowedHosts)) return checked;
  return {
    ok: false,
    code: 'host-not-allowed',
    url: checked.url,
    reason: `has the host "${normalizeHost(checked.url.hostname)}", which is not on ${rule.setting}`,
  };
}

/** Photo downloads: http(s) on `photos.allowedHosts`. */
export function photoUrlRule(settings: Pick<Settings, 'photos'>): UrlRule {
  return {
    schemes: ['https:', 'http:'],
    allowedHosts: settings.photos.allowedHosts,
    setting: 'photos.allowedHosts',
  };
}

/** The parts of the settings the signature link rule is made from. */
interface LinkSettings {
  signatures: { allowedHosts?: readonly string[] | undefined };
  scope: { domains: readonly string[] };
}

/**
 * Links and images in signatures (home pages, logos, banners): https on `signatures.allowedHosts`,
 * or when that is not set on the scope's mail domains and their subdomains (a company's web site
 * is almost always under its mail domain).
 */
export function signatureLinkRule(settings: LinkSettings): UrlRule {
  const listed = settings.signatures.allowedHosts;
  return {
    schemes: ['https:'],
    allowedHosts: listed ?? settings.scope.domains.flatMap((domain) => [domain, `*.${domain}`]),
    setting: listed ? 'signatures.allowedHosts' : 'signatures.allowedHosts (by default the scope domains)',
  };
}

/** What a signature's URLs are checked against; carried in its view, so a re-render agrees. */
export interface SignatureUrlPolicy {
  /** `employee.photoUrl`: https on `photos.allowedHosts`. */
  photo: UrlRule;
  /** Home pages and URL variables: `signatureLinkRule`. */
  link: UrlRule;
}

const policies = new WeakMap<object, SignatureUrlPolicy>();

/** The signature URL policy of `settings`: made once per settings object, shared by every view. */
export function signatureUrlPolicy(
  settings: Pick<Settings, 'photos' | 'signatures' | 'scope'>,
): SignatureUrlPolicy {
  let policy = policies.get(settings);
  if (!policy) {
    policy = { photo: { ...photoUrlRule(settings), schemes: ['https:'] }, link: signatureLinkRule(settings) };
    policies.set(settings, policy);
  }
  return policy;
}
