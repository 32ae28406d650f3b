import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/database.js';
import { asciiName, createHrSchema, generateHrData, loadHrData, smallHrFixture } from './seed-hr.js';

describe('generateHrData', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const options = {
      employees: 300,
      offices: 6,
      seed: 'demo',
      photoBaseUrl: 'https://127.0.0.1:8443/photos/',
    };
    expect(generateHrData(options)).toEqual(generateHrData(options));
    expect(generateHrData({ ...options, seed: 'other' }).employees).not.toEqual(
      generateHrData(options).employees,
    );
  });

  it('produces realistic Norwegian data with the gaps real HR data has', () => {
    const { offices, employees } = generateHrData({
      employees: 2000,
      offices: 6,
      seed: 7,
      photoBaseUrl: 'https://127.0.0.1:8443/photos',
    });
    expect(offices.map((o) => o.city)).toEqual([
      'Oslo',
      'Bergen',
      'Trondheim',
      'Stavanger',
      'Tromsø',
      'Kristiansand',
    ]);
    expect(offices[4]).toMatchObject({
      name: 'Tromsø Sentrum',
      email: 'tromso-sentrum@example.no',
      homepageUrl: 'https://www.example.no/kontorer/tromso-sentrum',
      postalCode: '9008',
    });
    for (const o of offices) expect(o.phone).toMatch(/^\+47 \d{2} \d{2} \d{2} \d{2}$/);

    const names = employees.map((e) => `${e.firstName} ${e.lastName}`).join(' ');
    for (const letter of ['æ', 'ø', 'å', 'Æ', 'Ø', 'Å']) expect(names).toContain(letter);
    for (const e of employees) expect(e.email).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\d*@example\.no$/);
    expect(new Set(employees.map((e) => e.email)).size).toBe(employees.length);

    const share = (pred: (e: (typeof employees)[number]) => boolean) =>
      employees.filter(pred).length / employees.length;
    expect(share((e) => e.title === null)).toBeGreaterThan(0.05);
    expect(share((e) => e.title === null)).toBeLessThan(0.2);
    expect(share((e) => e.phone === null)).toBeGreaterThan(0.05);
    expect(share((e) => e.status !== 'active')).toBeGreaterThan(0.02);
    expect(share((e) => e.status !== 'active')).toBeLessThan(0.1);
    expect(share((e) => e.profileImageUrl === null)).toBeGreaterThan(0.05);
    expect(share((e) => e.officeId === null)).toBeLessThan(0.05);

    const phones = employees.flatMap((e) => (e.phone ? [e.phone] : []));
    expect(phones.some((p) => /^\+47 [49]\d{2} \d{2} \d{3}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^[49]\d{2} \d{2} \d{3}$/.test(p))).toBe(true);
    expect(phones.some((p) => /^[49]\d{7}$/.test(p))).toBe(true);
    for (const p of phones) expect(p).toMatch(/^(\+47 ?)?[49]\d{2} ?\d{2} ?\d{3}$/);

    const withPhoto = employees.find((e) => e.profileImageUrl !== null)!;
    expect(withPhoto.profileImageUrl).toBe(`https://127.0.0.1:8443/photos/${withPhoto.id}.jpg`);
  });

  it('numbers colliding emails and plants one duplicate only when asked', () => {
    const data = generateHrData({ employees: 5000, offices: 3, seed: 1, domain: 'fjord.test' });
    expect(data.employees.some((e) => /\d@fjord\.test$/.test(e.email))).toBe(true);
    expect(data.employees.every((e) => e.profileImageUrl === null)).toBe(true);

    const dup = generateHrData({ employees: 50, offices: 3, seed: 1, duplicateEmail: true });
    const active = dup.employees.filter((e) => e.status === 'active');
    const counts = new Map<string, number>();
    for (const e of active) counts.set(e.email, (counts.get(e.email) ?? 0) + 1);
    expect([...counts.values()].filter((n) => n > 1)).toEqual([2]);
    expect(active[active.length - 1]!.email).toBe(active[0]!.email);
  });

  it('names more offices than cities by district', () => {
    const { offices } = generateHrData({ employees: 0, offices: 8, seed: 1 });
    expect(offices.map((o) => o.name).slice(5)).toEqual([
      'Kristiansand Kvadraturen',
      'Oslo Nydalen',
      'Bergen Åsane',
    ]);
    expect(
      new Set(generateHrData({ employees: 0, offices: 40, seed: 1 }).offices.map((o) => o.name)).size,
    ).toBe(40);
  });
});

describe('asciiName', () => {
  it('transliterates Norwegian letters the way Norwegian mail addresses do', () => {
    expect(
      ['Ærø', 'Søren', 'Åse', 'Bjørn', 'Øystein', 'Kåre', 'Mæland', 'Anne-Lise', 'Hélène'].map(asciiName),
    ).toEqual(['aero', 'soren', 'ase', 'bjorn', 'oystein', 'kare', 'maeland', 'anne-lise', 'helene']);
  });
});

describe('smallHrFixture', () => {
  it('has the traps the tests rely on', () => {
    const { offices, employees } = smallHrFixture({ photoBaseUrl: 'https://127.0.0.1:1/p' });
    expect(offices).toHaveLength(3);
    expect(employees).toHaveLength(12);
    expect(employees.filter((e) => e.status === 'active').map((e) => e.id)).toEqual([
      1, 2, 3, 4, 5, 7, 8, 10, 11, 12,
    ]);
    expect(employees.filter((e) => e.title === null).map((e) => e.id)).toEqual([3]);
    expect(employees.filter((e) => e.phone === null).map((e) => e.id)).toEqual([4, 8]);
    expect(
      employees.filter((e) => e.email.toLowerCase() === 'ola.nordmann@example.no').map((e) => e.id),
    ).toEqual([7, 8]);
    expect(employees.find((e) => e.id === 1)!.profileImageUrl).toBe('https://127.0.0.1:1/p/1.jpg');
    expect(employees.find((e) => e.id === 5)!.profileImageUrl).toBeNull();
  });
});

describe('loadHrData', () => {
  it('loads generated rows into the default schema, replacing on request', async () => {
    await using db = await createTestDatabase();
    await createHrSchema(db.pool);
    await createHrSchema(db.pool);
    const data = generateHrData({ employees: 25_000, offices: 6, seed: 3 });
    await loadHrData(db.pool, data);
    const count = async () =>
      (await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM employees')).rows[0]!.n;
    expect(await count()).toBe('25000');
    const { rows } = await db.pool.query('SELECT first_name, email, office_id FROM employees WHERE id = 1');
    expect(rows[0]).toEqual({
      first_name: data.employees[0]!.firstName,
      email: data.employees[0]!.email,
      office_id: data.employees[0]!.officeId,
    });
    await loadHrData(db.pool, smallHrFixture(), { replace: true });
    expect(await count()).toBe('12');
  });
});
