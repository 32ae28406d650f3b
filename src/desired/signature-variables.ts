/**
 * Which signature variables hold what, shared by the renderer (which checks their values) and the
 * template checker (which decides where in the markup they may go).
 */

/** Variables whose names say they hold a link: only https URLs on the allowed hosts pass. */
export const URL_VARIABLE = /(url|href|website|homepage)$/i;

/** Variables that end up in width/height attributes (or CSS): whole numbers of pixels only. */
export const SIZE_VARIABLE = /(width|height)$/i;

/** Variables the renderer itself checks against the URL policy (a campaign's banner and link too). */
const HTTPS_VARIABLES = new Set(['employee.photoUrl', 'office.homepage', 'campaign.image', 'campaign.link']);

/** `mailto:` and `tel:` links the renderer builds from email addresses and phone numbers. */
export const BUILT_LINKS: ReadonlySet<string> = new Set([
  'employee.emailHref',
  'employee.mobileTel',
  'office.emailHref',
  'office.phoneTel',
]);

/** A variable whose value the renderer has checked as an https URL (or left empty). */
export function isHttpsVariable(name: string): boolean {
  return HTTPS_VARIABLES.has(name) || (!name.includes('.') && URL_VARIABLE.test(name));
}

/** A company or override variable whose value the renderer has checked as a whole number. */
export function isSizeVariable(name: string): boolean {
  return !name.includes('.') && SIZE_VARIABLE.test(name);
}
