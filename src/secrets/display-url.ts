/**
 * HR photo URLs often carry a token in their query string (`?token=…`, a signed-URL signature).
 * Wherever a URL is shown to people (text and markdown plans, log lines, API responses, the
 * dashboard) only its scheme, host and path are; the JSON plan and the journal keep the whole
 * URL, because `roster apply PLANFILE` downloads from the plan.
 */

const HIDDEN = '?…';

/** `https://host/path?…` for a URL with a query string or fragment; the URL itself otherwise. */
export function displayUrl(raw: string): string {
  const cut = raw.search(/[?#]/);
  return cut === -1 ? raw : `${raw.slice(0, cut)}${HIDDEN}`;
}

const URL_WITH_QUERY = /\b(https?:\/\/[^\s?#"'<>`]+)[?#][^\s"'<>`]*/gi;

/** `text` with the query string and fragment of every http(s) URL in it hidden. */
export function hideUrlQueries(text: string): string {
  return text.replace(URL_WITH_QUERY, (_m, base: string) => `${base}${HIDDEN}`);
}
