import { isSizeVariable } from '../desired/signature-variables.js';

/**
 * CSS functions that compute a value and load nothing. Every other function is refused:
 * `url()`, `image-set()`, `image()`, `cross-fade()`, `element()` load or show something,
 * `expression()` runs script in old Outlook and Internet Explorer.
 */
const ALLOWED_FUNCTIONS = new Set(['rgb', 'rgba', 'hsl', 'hsla', 'calc', 'min', 'max', 'clamp']);

const FUNCTION = /([-A-Za-z_][-\w]*)\s*\(/g;
const VARIABLE = /\{\{\s*([^}]*?)\s*\}\}/g;

/**
 * Problems with the CSS of a `style` attribute or `<style>` block in a signature template. A CSS
 * value is HTML-escaped when rendered but not CSS-escaped, so only width and height variables
 * (checked as whole numbers) may appear in it; escapes, comments and at-rules are refused because
 * each can hide a function name from the check (`u\72l(`, `ur/**\/l(`, `@import`).
 */
export function checkTemplateCss(css: string): string[] {
  const problems: string[] = [];
  if (css.includes('\\')) problems.push('CSS escapes (\\) are not allowed');
  if (css.includes('/*')) problems.push('CSS comments are not allowed');
  if (css.includes('@')) problems.push('CSS at-rules (@import, @font-face, …) are not allowed');
  for (const [, name = ''] of css.matchAll(VARIABLE)) {
    if (!isSizeVariable(name)) {
      problems.push(`{{${name}}}: only width and height variables may appear in CSS`);
    }
  }
  for (const [, name = ''] of css.replace(VARIABLE, '0').matchAll(FUNCTION)) {
    if (!ALLOWED_FUNCTIONS.has(name.toLowerCase())) {
      problems.push(`${name}() is not allowed (CSS may not load or run anything)`);
    }
  }
  return problems;
}
