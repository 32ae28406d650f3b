import type pg from 'pg';
import { CITIES, FIRST_NAMES, LAST_NAMES, TITLES } from './seed-hr-names.js';

/** One row of the HR `offices` table. */
export interface HrOffice {
  id: number;
  name: string;
  city: string;
  streetAddress: string;
  postalCode: string;
  phone: string | null;
  email: string | null;
  homepageUrl: string | null;
}

/** One row of the HR `employees` table. */
export interface HrEmployee {
  id: number;
  officeId: number | null;
  firstName: string;
  lastName: string;
  email: string;
  title: string | null;
  phone: string | null;
  profileImageUrl: string | null;
  status: 'active' | 'inactive' | 'terminated';
}

/** A whole HR database's worth of rows. */
export interface HrData {
  offices: HrOffice[];
  employees: HrEmployee[];
}

/** How much data to generate, and from which seed: the same options always give the same rows. */
export interface GenerateHrOptions {
  employees: number;
  offices: number;
  seed?: number | string;
  /** Email domain of employees and offices; default `example.no`. */
  domain?: string;
  /** When given, most employees get `<photoBaseUrl>/<id>.jpg`; otherwise nobody has a photo. */
  photoBaseUrl?: string;
  /** Give the last active employee the first active employee's email (the HR data error Roster must report). */
  duplicateEmail?: boolean;
}

export const DEFAULT_HR_DOMAIN = 'example.no';

/** Email-safe ASCII of a Norwegian name part: æ→ae, ø→o, å→a, other accents dropped. */
export function asciiName(name: string): string {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/å/g, 'a')
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\s+/g, '-')
    .replace(/[^a-z0-9-]/g, '');
}

/** Deterministic, realistic HR data for tests, the demo and the benchmark. */
export function generateHrData(options: GenerateHrOptions): HrData {
  const random = seededRandom(options.seed ?? 1);
  const domain = options.domain ?? DEFAULT_HR_DOMAIN;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 10)).join('');

  const offices: HrOffice[] = [];
  for (let i = 0; i < options.offices; i++) {
    const place = CITIES[i % CITIES.length]!;
    const round = Math.floor(i / CITIES.length);
    const district = place.districts[round % place.districts.length]!;
    const suffix =
      round >= place.districts.length ? ` ${Math.floor(round / place.districts.length) + 1}` : '';
    const name = `${place.city} ${district.name}${suffix}`;
    const slug = asciiName(name);
    offices.push({
      id: i + 1,
      name,
      city: place.city,
      streetAddress: district.street,
      postalCode: String(Number(place.postalCode) + (round % place.districts.length) * 7).padStart(4, '0'),
      phone: `+47 ${place.areaCode} ${digits(2)} ${digits(2)} ${digits(2)}`,
      email: `${slug}@${domain}`,
      homepageUrl: `https://www.${domain}/kontorer/${slug}`,
    });
  }

  const photoBase = options.photoBaseUrl?.replace(/\/+$/, '');
  const taken = new Map<string, number>();
  const employees: HrEmployee[] = [];
  for (let i = 0; i < options.employees; i++) {
    const id = i + 1;
    const firstName = pick(FIRST_NAMES);
    const lastName = pick(LAST_NAMES);
    const local = `${asciiName(firstName)}.${asciiName(lastName)}`;
    const seen = (taken.get(local) ?? 0) + 1;
    taken.set(local, seen);
    const roll = random();
    employees.push({
      id,
      officeId: offices.length === 0 || random() < 0.02 ? null : pick(offices).id,
      firstName,
      lastName,
      email: `${local}${seen > 1 ? seen : ''}@${domain}`,
      title: random() < 0.12 ? null : pick(TITLES),
      phone: random() < 0.15 ? null : norwegianMobile(random, digits),
      profileImageUrl: photoBase && random() < 0.85 ? `${photoBase}/${id}.jpg` : null,
      status: roll < 0.04 ? 'inactive' : roll < 0.06 ? 'terminated' : 'active',
    });
  }

  if (options.duplicateEmail) {
    const active = employees.filter((e) => e.status === 'active');
    const first = active[0];
    const last = active[active.length - 1];
    if (first && last && first !== last) last.email = first.email;
  }
  return { offices, employees };
}

/** A mobile number in one of the ways Norwegians write them. */
function norwegianMobile(random: () => number, digits: (n: number) => string): string {
  const n = `${random() < 0.5 ? '9' : '4'}${digits(7)}`;
  const spaced = `${n.slice(0, 3)} ${n.slice(3, 5)} ${n.slice(5)}`;
  const style = random();
  if (style < 0.45) return `+47 ${spaced}`;
  if (style < 0.75) return spaced;
  if (style < 0.9) return n;
  return `+47${n}`;
}

/** mulberry32 over an FNV-1a hash of the seed: small, fast and the same on every platform. */
export function seededRandom(seed: number | string): () => number {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193);
  }
  let a = h >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Something to run SQL on: a client, a pool client or a pool. */
export type Queryable = Pick<pg.ClientBase, 'query'> | Pick<pg.Pool, 'query'>;

/** The default HR schema (see DESIGN.md); email is deliberately not unique, as in real HR data. */
export async function createHrSchema(client: Queryable): Promise<void> {
  await client.query(`
    CREATE TABLE IF NOT EXISTS offices (
      id integer PRIMARY KEY,
      name text NOT NULL,
      city text,
      street_address text,
      postal_code text,
      phone text,
      email text,
      homepage_url text
    );
    CREATE TABLE IF NOT EXISTS employees (
      id integer PRIMARY KEY,
      office_id integer REFERENCES offices (id),
      first_name text NOT NULL,
      last_name text NOT NULL,
      email text,
      title text,
      phone text,
      profile_image_url text,
      status text NOT NULL DEFAULT 'active'
    );
    CREATE INDEX IF NOT EXISTS employees_status_id_idx ON employees (status, id);
  `);
}

const BATCH = 10_000;

/**
 * Inserts the rows in batches of one `INSERT … SELECT FROM unnest(arrays)` each: one round trip
 * and one plan per 10,000 rows, so 50,000 employees load in about a second.
 * With `replace`, existing rows are removed first.
 */
export async function loadHrData(
  client: Queryable,
  data: HrData,
  options: { replace?: boolean } = {},
): Promise<void> {
  if (options.replace) await client.query('TRUNCATE employees, offices');
  for (let i = 0; i < data.offices.length; i += BATCH) {
    const batch = data.offices.slice(i, i + BATCH);
    await client.query(
      `INSERT INTO offices (id, name, city, street_address, postal_code, phone, email, homepage_url)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
      [
        batch.map((o) => o.id),
        batch.map((o) => o.name),
        batch.map((o) => o.city),
        batch.map((o) => o.streetAddress),
        batch.map((o) => o.postalCode),
        batch.map((o) => o.phone),
        batch.map((o) => o.email),
        batch.map((o) => o.homepageUrl),
      ],
    );
  }
  for (let i = 0; i < data.employees.length; i += BATCH) {
    const batch = data.employees.slice(i, i + BATCH);
    await client.query(
      `INSERT INTO employees (id, office_id, first_name, last_name, email, title, phone, profile_image_url, status)
       SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])`,
      [
        batch.map((e) => e.id),
        batch.map((e) => e.officeId),
        batch.map((e) => e.firstName),
        batch.map((e) => e.lastName),
        batch.map((e) => e.email),
        batch.map((e) => e.title),
        batch.map((e) => e.phone),
        batch.map((e) => e.profileImageUrl),
        batch.map((e) => e.status),
      ],
    );
  }
}

/**
 * A hand-written HR database for exact assertions: 3 offices, 12 employees of whom 10 are
 * active. Traps on purpose: #3 has no title, #4 and #8 no phone, #11 no office, #6 and #9 are
 * not active, #7 and #8 share an email (differing only in case), #5 has no photo.
 */
export function smallHrFixture(options: { domain?: string; photoBaseUrl?: string } = {}): HrData {
  const d = options.domain ?? DEFAULT_HR_DOMAIN;
  const photoBase = options.photoBaseUrl?.replace(/\/+$/, '');
  const offices = fixtureOffices(d);
  // prettier-ignore
  const rows: FixtureRow[] = [
    [1, 1, 'Søren', 'Ærø', `soren.aero@${d}`, 'Seniorrådgiver', '+47 912 34 567', 'active'],
    [2, 1, 'Åse', 'Mæland', `ase.maeland@${d}`, 'Prosjektleder', '987 65 432', 'active'],
    [3, 2, 'Bjørn', 'Økland', `bjorn.okland@${d}`, null, '41234567', 'active'],
    [4, 2, 'Øystein', 'Løvås', `oystein.lovas@${d}`, 'Systemutvikler', null, 'active'],
    [5, 3, 'Kåre', 'Sæther', `kare.saether@${d}`, 'Daglig leder', '+4790011223', 'active'],
    [6, 1, 'Ingrid', 'Håland', `ingrid.haland@${d}`, 'Økonomisjef', '+47 934 56 789', 'inactive'],
    [7, 2, 'Ola', 'Nordmann', `ola.nordmann@${d}`, 'Rådgiver', '915 55 123', 'active'],
    [8, 3, 'Ola', 'Nordmann', `Ola.Nordmann@${d}`, 'Lærling', null, 'active'],
    [9, 3, 'Kari', 'Bråten', `kari.braten@${d}`, 'Controller', '+47 950 12 345', 'terminated'],
    [10, 1, 'Gøril', 'Strøm', `goril.strom@${d}`, 'Jurist', '+47 480 01 234', 'active'],
    [11, null, 'Ståle', 'Kråkenes', `stale.krakenes@${d}`, 'Driftstekniker', '+47 466 77 889', 'active'],
    [12, 2, 'Frøydis', 'Ødegård', `froydis.odegard@${d}`, 'Markedsfører', '+47 917 00 000', 'active'],
  ];
  const employees = fixtureEmployees(rows, (id) => (photoBase && id !== 5 ? `${photoBase}/${id}.jpg` : null));
  return { offices, employees };
}

/** An employee of a hand-written fixture: id, office, first and last name, email, title, phone, status. */
export type FixtureRow = [
  number,
  number | null,
  string,
  string,
  string,
  string | null,
  string | null,
  HrEmployee['status'],
];

/** The three offices of the hand-written fixtures (Oslo, Bergen, Tromsø) in domain `d`. */
export function fixtureOffices(d: string): HrOffice[] {
  const office = (id: number, name: string, city: string, street: string, postal: string, phone: string) => ({
    id,
    name,
    city,
    streetAddress: street,
    postalCode: postal,
    phone,
    email: `${asciiName(city)}@${d}`,
    homepageUrl: `https://www.${d}/kontorer/${asciiName(city)}`,
  });
  return [
    office(1, 'Oslo Sentrum', 'Oslo', 'Karl Johans gate 12', '0154', '+47 22 12 34 56'),
    office(2, 'Bergen Bryggen', 'Bergen', 'Bryggen 15', '5003', '+47 55 21 43 65'),
    office(3, 'Tromsø Sentrum', 'Tromsø', 'Storgata 98', '9008', '+47 77 60 50 40'),
  ];
}

/** Fixture rows as employees, each with the photo URL `photoUrl` gives it. */
export function fixtureEmployees(rows: FixtureRow[], photoUrl: (id: number) => string | null): HrEmployee[] {
  return rows.map(([id, officeId, firstName, lastName, email, title, phone, status]) => ({
    id,
    officeId,
    firstName,
    lastName,
    email,
    title,
    phone,
    profileImageUrl: photoUrl(id),
    status,
  }));
}
