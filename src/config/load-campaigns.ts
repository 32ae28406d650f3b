import { DateTime, IANAZone } from 'luxon';
import type { ConfigProblem } from '../errors/roster-error.js';
import type { Campaign, CampaignBoundary } from '../desired/campaign-model.js';
import { withUtm } from '../desired/campaigns.js';
import { checkSourceUrl, type UrlRule } from '../desired/url-policy.js';
import type { ConfigFile } from './load-overrides.js';
import { parseYaml, pathToPointer, type ParsedYaml, type ValuePath } from './parse-yaml.js';
import { compileSchema, validateAgainstSchema } from './validate-schema.js';

/** The campaigns that load, and the problems of those that do not (each disables its own campaign only). */
export interface LoadedCampaigns {
  campaigns: Campaign[];
  problems: ConfigProblem[];
}

interface BoundaryFile {
  at: string;
  timeZone: string;
  rollout: 'notBefore' | 'finishBy';
}

interface CampaignFile {
  id: string;
  name: string;
  priority: number;
  banner: {
    image: string;
    width: number;
    height?: number;
    alt: string;
    link: string;
    utm: Partial<Record<'source' | 'medium' | 'campaign' | 'term' | 'content', string>>;
  };
  start: BoundaryFile;
  end: BoundaryFile;
  target: {
    offices?: (string | number)[];
    titles?: string[];
    employees?: string[];
    group?: string;
    exclude: string[];
  };
}

/**
 * A local date-time in an IANA zone as an instant. A time that the zone skips (the spring
 * daylight-saving change) moves forward by the gap; a time it repeats (autumn) is its first
 * occurrence. Undefined for a zone or time that does not exist.
 */
export function localInstant(at: string, timeZone: string): number | undefined {
  if (!IANAZone.isValidZone(timeZone)) return undefined;
  const naive = DateTime.fromISO(at, { zone: 'UTC' });
  if (!naive.isValid) return undefined;
  const zone = IANAZone.create(timeZone);
  const wall = naive.toMillis();
  const day = 86_400_000;
  const fits = [zone.offset(wall - day), zone.offset(wall + day)]
    .map((offset) => wall - offset * 60_000)
    .filter((instant) => wall - zone.offset(instant) * 60_000 === instant);
  if (fits.length > 0) return Math.min(...fits);
  return DateTime.fromISO(at, { zone: timeZone }).toMillis();
}

/**
 * Campaign files → campaigns. Each file is checked against `schemas/campaign.schema.json` and the
 * rules a schema cannot express: moments that exist, an end after the start, https banner URLs
 * (on the signature link rule, `signatures.allowedHosts`, when one is given), ids unique across
 * files. A campaign with an error is left out (and reported with file, line and
 * key); the others, and every other signature update, go on.
 */
export function loadCampaigns(
  files: readonly ConfigFile[],
  schema: object,
  linkRule?: UrlRule,
): LoadedCampaigns {
  const validate = compileSchema(schema);
  const result: LoadedCampaigns = { campaigns: [], problems: [] };
  const ids = new Map<string, string>();
  for (const { file, text } of [...files].sort((a, b) => (a.file < b.file ? -1 : 1))) {
    const parsed = parseYaml(file, text);
    const problems = [...parsed.problems];
    let campaign: Campaign | undefined;
    if (parsed.value !== undefined) {
      const data = parsed.value ?? {};
      problems.push(...validateAgainstSchema(validate, data, parsed));
      if (problems.length === 0) campaign = checked(data as CampaignFile, parsed, problems, linkRule);
    }
    if (campaign && ids.has(campaign.id)) {
      problems.push(
        problemAt(parsed, ['id'], `campaign id '${campaign.id}' is used by ${ids.get(campaign.id)} too`),
      );
      campaign = undefined;
    }
    if (campaign && problems.every((p) => p.severity !== 'error')) {
      ids.set(campaign.id, file);
      result.campaigns.push(campaign);
    }
    result.problems.push(...problems);
  }
  return result;
}

function problemAt(parsed: ParsedYaml, path: ValuePath, message: string): ConfigProblem {
  return { file: parsed.file, ...parsed.locate(path), key: pathToPointer(path), message, severity: 'error' };
}

function boundary(b: BoundaryFile, side: 'start' | 'end', parsed: ParsedYaml, problems: ConfigProblem[]) {
  if (!IANAZone.isValidZone(b.timeZone)) {
    problems.push(
      problemAt(
        parsed,
        [side, 'timeZone'],
        `unknown time zone '${b.timeZone}' (an IANA name such as Europe/Oslo)`,
      ),
    );
    return undefined;
  }
  const instant = localInstant(b.at, b.timeZone);
  if (instant === undefined) {
    problems.push(problemAt(parsed, [side, 'at'], `'${b.at}' is not a date and time`));
    return undefined;
  }
  return { instant, at: b.at, timeZone: b.timeZone, rollout: b.rollout } satisfies CampaignBoundary;
}

function httpsUrl(
  value: string,
  path: ValuePath,
  context: { parsed: ParsedYaml; problems: ConfigProblem[]; linkRule: UrlRule | undefined },
): boolean {
  const { parsed, problems, linkRule } = context;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    problems.push(problemAt(parsed, path, 'must be an absolute https URL'));
    return false;
  }
  if (url.protocol !== 'https:' || url.username || url.password) {
    problems.push(problemAt(parsed, path, 'must be an absolute https URL without user name or password'));
    return false;
  }
  // The same policy every other signature URL keeps to: a banner is a link in thousands of mails.
  const checked = linkRule ? checkSourceUrl(value, linkRule) : undefined;
  if (checked && !checked.ok) {
    problems.push(problemAt(parsed, path, `${value} ${checked.reason}`));
    return false;
  }
  return true;
}

function checked(
  data: CampaignFile,
  parsed: ParsedYaml,
  problems: ConfigProblem[],
  linkRule: UrlRule | undefined,
): Campaign | undefined {
  const start = boundary(data.start, 'start', parsed, problems);
  const end = boundary(data.end, 'end', parsed, problems);
  if (start && end && end.instant <= start.instant) {
    problems.push(
      problemAt(
        parsed,
        ['end', 'at'],
        `the campaign ends (${data.end.at} ${data.end.timeZone}) before it starts (${data.start.at} ${data.start.timeZone})`,
      ),
    );
  }
  const urls = { parsed, problems, linkRule };
  const imageOk = httpsUrl(data.banner.image, ['banner', 'image'], urls);
  const linkOk = httpsUrl(data.banner.link, ['banner', 'link'], urls);
  if (!start || !end || !imageOk || !linkOk || problems.some((p) => p.severity === 'error')) return undefined;
  const { target, banner } = data;
  return {
    id: data.id,
    name: data.name,
    priority: data.priority,
    file: parsed.file,
    banner: {
      imageUrl: banner.image,
      imageAt: parsed.locate(['banner', 'image']),
      width: banner.width,
      ...(banner.height !== undefined ? { height: banner.height } : {}),
      alt: banner.alt,
      link: banner.link,
      href: withUtm(banner.link, { campaign: data.id, ...banner.utm }),
    },
    start,
    end,
    target: {
      offices: (target.offices ?? []).map((o) => String(o).toLowerCase()),
      titles: target.titles ?? [],
      employees: (target.employees ?? []).map((e) => e.trim().toLowerCase()),
      ...(target.group ? { group: target.group.toLowerCase() } : {}),
      exclude: target.exclude.map((e) => e.trim().toLowerCase()),
    },
  };
}
