import { describe, expect, it } from 'vitest';
import type { DesiredEmployee } from '../desired/model.js';
import { planChanges } from './plan-changes.js';
import { actionJson } from './plan-file.js';
import {
  appliedPhoto,
  appliedSignature,
  desiredState,
  employee,
  observedSig,
  observedState,
  planOptions,
  signature,
  user,
} from './test-builders.js';

const A = 'ase.aero@example.no';
type Fields = DesiredEmployee['fields'];

describe('profile changes', () => {
  it.each([
    ['in sync → nothing', { jobTitle: 'Rådgiver' }, { jobTitle: 'Rådgiver' }, []],
    [
      'changed title',
      { jobTitle: 'Leder' },
      { jobTitle: 'Rådgiver' },
      [{ field: 'jobTitle', before: 'Rådgiver', after: 'Leder' }],
    ],
    [
      'tenant empty',
      { mobilePhone: '+47 912 34 567' },
      { mobilePhone: null },
      [{ field: 'mobilePhone', before: null, after: '+47 912 34 567' }],
    ],
    [
      'clear requested (clearWhenEmpty)',
      { jobTitle: null },
      { jobTitle: 'Rådgiver' },
      [{ field: 'jobTitle', before: 'Rådgiver', after: null }],
    ],
    ['clear requested, already empty', { jobTitle: null }, { jobTitle: null }, []],
    ['absent field never touches the tenant', {}, { jobTitle: 'Rådgiver' }, []],
    [
      'arrays compared by value',
      { businessPhones: ['+47 22 00 00 00'] },
      { businessPhones: ['+47 22 00 00 00'] },
      [],
    ],
    ['empty array equals null', { businessPhones: null }, { businessPhones: [] }, []],
  ] satisfies Array<[string, Fields, Fields, unknown[]]>)(
    '%s',
    (_name, desiredFields, userFields, expected) => {
      const plan = planChanges(
        desiredState([employee(A, { fields: { ...desiredFields } })]),
        observedState([user(A, { fields: { ...userFields } })]),
        new Map(),
        planOptions({ photos: false, signatures: false }),
      );
      const profile = plan.actions.find((a) => a.kind === 'update-profile');
      expect(profile?.kind === 'update-profile' ? profile.changes : []).toEqual(expected);
    },
  );

  it('reports fields of on-premises-synced users instead of planning them', () => {
    const plan = planChanges(
      desiredState([employee(A, { fields: { jobTitle: 'Leder' } })]),
      observedState([user(A, { onPremisesSyncEnabled: true, fields: { jobTitle: 'Rådgiver' } })]),
      new Map(),
      planOptions({ photos: false, signatures: false }),
    );
    expect(plan.actions).toEqual([]);
    expect(plan.warnings).toEqual([
      {
        kind: 'synced-user',
        employee: A,
        message: expect.stringContaining('jobTitle must be changed there'),
      },
    ]);
  });
});

describe('matching', () => {
  const opts = planOptions({ photos: false, signatures: false });
  const wantTitle = employee(A, { fields: { jobTitle: 'Leder' } });

  it('matches by mail case-insensitively', () => {
    const plan = planChanges(
      desiredState([wantTitle]),
      observedState([user('Ase.Aero@Example.no')]),
      new Map(),
      opts,
    );
    expect(plan.actions.map((a) => a.key)).toEqual([`${A}#profile`]);
  });

  it('falls back to userPrincipalName, then proxyAddresses (smtp only)', () => {
    const byUpn = user(A, { mail: 'other@example.no' });
    expect(
      planChanges(desiredState([wantTitle]), observedState([byUpn]), new Map(), opts).summary.matched,
    ).toBe(1);
    const byProxy = user('x@example.no', {
      proxyAddresses: ['SMTP:x@example.no', `smtp:${A.toUpperCase()}`],
    });
    expect(
      planChanges(desiredState([wantTitle]), observedState([byProxy]), new Map(), opts).summary.matched,
    ).toBe(1);
    // One user listing the same alias twice (in two cases) is one user, not an ambiguity.
    const twice = user('x@example.no', { proxyAddresses: [`SMTP:${A.toUpperCase()}`, `smtp:${A}`] });
    const other = user('y@example.no', { proxyAddresses: ['SMTP:y@example.no'] });
    expect(
      planChanges(desiredState([wantTitle]), observedState([other, twice]), new Map(), opts).summary.matched,
    ).toBe(1);
    const sipOnly = user('x@example.no', { proxyAddresses: [`sip:${A}`] });
    expect(
      planChanges(desiredState([wantTitle]), observedState([sipOnly]), new Map(), opts).summary.matched,
    ).toBe(0);
  });

  it('never guesses between two users with the same mail', () => {
    const plan = planChanges(
      desiredState([wantTitle]),
      observedState([user('a1@example.no', { mail: A }), user('a2@example.no', { mail: A })]),
      new Map(),
      opts,
    );
    expect(plan.actions).toEqual([]);
    expect(plan.warnings.map((w) => w.kind)).toEqual(['ambiguous']);
  });

  it('refuses a user claimed by two employees', () => {
    const shared = user('shared@example.no', { mail: A, proxyAddresses: ['smtp:b@example.no'] });
    const plan = planChanges(
      desiredState([wantTitle, employee('b@example.no', { fields: { jobTitle: 'X' } })]),
      observedState([shared]),
      new Map(),
      opts,
    );
    expect(plan.actions).toEqual([]);
    expect(plan.warnings.filter((w) => w.kind === 'ambiguous')).toHaveLength(2);
  });

  it('reports unmatched and out-of-scope employees and never acts on them', () => {
    const plan = planChanges(
      desiredState([wantTitle, employee('ola@other.com')]),
      observedState([user('someone@example.no')]),
      new Map(),
      opts,
    );
    expect(plan.actions).toEqual([]);
    expect(plan.warnings.map((w) => [w.kind, w.employee])).toEqual([
      ['out-of-scope', 'ola@other.com'],
      ['unmatched', A],
    ]);
  });

  it('--only limits the plan to the named employees', () => {
    const b = 'b@example.no';
    const plan = planChanges(
      desiredState([wantTitle, employee(b, { fields: { jobTitle: 'Y' } })]),
      observedState([user(A), user(b)]),
      new Map(),
      planOptions({ photos: false, signatures: false, only: ['B@example.no'] }),
    );
    expect(plan.actions.map((a) => a.employee)).toEqual([b]);
  });
});

describe('photos: three-way with the last-applied record', () => {
  const url = 'https://hr.example.no/photos/1.jpg';
  const e = employee(A, { photoUrl: url });
  const u = user(A);
  const photoPlan = (
    observedPhoto: { etag: string } | null | undefined,
    applied: ReturnType<typeof appliedPhoto>[],
    hashes?: Map<string, string>,
  ) => {
    const photos = new Map();
    if (observedPhoto !== undefined)
      photos.set(
        u.id,
        observedPhoto && { etag: observedPhoto.etag, contentType: 'image/jpeg', width: 240, height: 240 },
      );
    return planChanges(
      desiredState([e]),
      observedState([u], { photos, deepChecked: { photos: observedPhoto !== undefined, signatures: true } }),
      new Map(applied),
      planOptions({ signatures: false, ...(hashes ? { sourcePhotoHashes: hashes } : {}) }),
    ).actions.filter((a) => a.kind === 'set-photo');
  };

  it('uploads when the user has no photo', () => {
    expect(photoPlan(null, [])).toMatchObject([
      { photoReason: 'no-photo', expectedEtag: null, sourceUrl: url },
    ]);
  });
  it('uploads when Roster never set it', () => {
    expect(photoPlan({ etag: 'W/"1"' }, [])).toMatchObject([
      { photoReason: 'not-set-by-roster', expectedEtag: 'W/"1"' },
    ]);
  });
  it('no diff when the tenant holds the re-encoded photo Roster set', () => {
    expect(photoPlan({ etag: 'W/"9"' }, [appliedPhoto(u.id, url, 'sha-a', 'W/"9"')])).toEqual([]);
  });
  it('no diff when not deep-checked this run and the record matches', () => {
    expect(photoPlan(undefined, [appliedPhoto(u.id, url, 'sha-a', 'W/"9"')])).toEqual([]);
  });
  it('re-uploads when changed out of band', () => {
    expect(photoPlan({ etag: 'W/"10"' }, [appliedPhoto(u.id, url, 'sha-a', 'W/"9"')])).toMatchObject([
      { photoReason: 'changed-out-of-band' },
    ]);
  });
  it('re-uploads when the source URL changed', () => {
    expect(
      photoPlan({ etag: 'W/"9"' }, [appliedPhoto(u.id, 'https://hr.example.no/old.jpg', 'sha-a', 'W/"9"')]),
    ).toMatchObject([{ photoReason: 'source-changed' }]);
  });
  it('re-uploads when the source bytes changed', () => {
    const hashes = new Map([[url, 'sha-b']]);
    expect(photoPlan({ etag: 'W/"9"' }, [appliedPhoto(u.id, url, 'sha-a', 'W/"9"')], hashes)).toMatchObject([
      { photoReason: 'source-changed' },
    ]);
  });
  it('re-uploads when the photo Roster set was removed', () => {
    expect(photoPlan(null, [appliedPhoto(u.id, url, 'sha-a', 'W/"9"')])).toMatchObject([
      { photoReason: 'no-photo' },
    ]);
  });
  it('an employee without a photo URL never gets a photo action (and never a delete)', () => {
    const plan = planChanges(
      desiredState([employee(A)]),
      observedState([u]),
      new Map(),
      planOptions({ signatures: false }),
    );
    expect(plan.actions).toEqual([]);
  });
});

describe('signatures: three-way with the last-applied record', () => {
  const html = '<table><tr><td>Åse</td></tr></table>';
  const stored = observedSig(`<html><body>${html}</body></html>`, 'text');
  const e = employee(A, { signature: signature(html, 'text') });
  const u = user(A);
  const sigPlan = (
    current: typeof stored | undefined,
    applied: ReturnType<typeof appliedSignature>[],
    desired = e,
  ) => {
    const signatures = new Map();
    if (current) signatures.set(u.id, current);
    return planChanges(
      desiredState([desired]),
      observedState([u], { signatures, deepChecked: { photos: true, signatures: current !== undefined } }),
      new Map(applied),
      planOptions({ photos: false }),
    );
  };

  it('sets a signature never applied', () => {
    expect(sigPlan(observedSig('old'), []).actions).toMatchObject([
      { kind: 'set-signature', signatureReason: 'never-applied', currentText: 'text' },
    ]);
  });
  it('gives actions of plain data: no getters anywhere, JSON as the plan file writes it', () => {
    const big = `<table>${'<tr><td>Søren Ærø · Senior rådgiver</td></tr>'.repeat(40)}</table>`;
    const long = employee(A, { signature: signature(big, 'text'), photoUrl: 'https://hr.example.no/a.jpg' });
    const current = observedSig(`<p>${'old '.repeat(200)}</p>`);
    const plan = planChanges(
      desiredState([long]),
      observedState([user(A, { fields: { jobTitle: 'Leder' } })], {
        signatures: new Map([[`id-${A}`, current]]),
      }),
      new Map(),
      planOptions(),
    );
    expect(plan.actions.map((a) => a.kind)).toEqual(['update-profile', 'set-photo', 'set-signature']);
    const getters = (value: unknown): string[] =>
      value && typeof value === 'object'
        ? Object.entries(Object.getOwnPropertyDescriptors(value)).flatMap(([key, d]) =>
            d.get || d.set ? [key] : getters(d.value).map((k) => `${key}.${k}`),
          )
        : [];
    expect(plan.actions.flatMap(getters)).toEqual([]);
    expect(getters(long)).toEqual([]);
    const signatureAction = plan.actions[2]!;
    expect(signatureAction).toMatchObject({ html: big, currentHtml: current.html });
    // What JSON.stringify sees is all there is, and the plan file writes exactly that.
    const sorted = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(sorted)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.keys(value)
                .sort()
                .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
            )
          : value;
    plan.actions.forEach((action, i) => {
      expect(JSON.parse(JSON.stringify(action))).toEqual(action);
      const indented = JSON.stringify(sorted(action), null, 2).replace(/\n/g, '\n    ');
      expect(actionJson(action, i)).toBe(`${i === 0 ? '[' : ','}\n    ${indented}`);
    });
  });
  it('no perpetual diff when the service rewrote the HTML Roster set', () => {
    expect(sigPlan(stored, [appliedSignature(u.id, html, 'text', stored)]).actions).toEqual([]);
  });
  it('no diff without a deep check when the record matches', () => {
    expect(sigPlan(undefined, [appliedSignature(u.id, html, 'text', stored)]).actions).toEqual([]);
  });
  it('re-sets when the template output changed', () => {
    const changed = employee(A, { signature: signature(`${html}<p>new</p>`, 'text') });
    expect(sigPlan(stored, [appliedSignature(u.id, html, 'text', stored)], changed).actions).toMatchObject([
      { signatureReason: 'content-changed' },
    ]);
  });
  it('re-sets when someone edited it in the tenant', () => {
    const edited = { ...stored, html: '<p>hand-made</p>' };
    expect(sigPlan(edited, [appliedSignature(u.id, html, 'text', stored)]).actions).toMatchObject([
      { signatureReason: 'changed-out-of-band' },
    ]);
  });
  it('re-sets when only the flags were changed in the tenant', () => {
    const flipped = { ...stored, autoAddSignature: false };
    expect(sigPlan(flipped, [appliedSignature(u.id, html, 'text', stored)]).actions).toMatchObject([
      { signatureReason: 'flags-differ' },
    ]);
  });
  it('warns and trips the guardrail when roaming signatures are enabled', () => {
    const plan = planChanges(
      desiredState([e]),
      observedState([u], { roamingSignaturesPostponed: false }),
      new Map(),
      planOptions({ photos: false }),
    );
    expect(plan.warnings.map((w) => w.kind)).toEqual(['guardrail', 'roaming-signatures']);
    expect(plan.guardrails.find((g) => g.name === 'roaming-signatures')?.tripped).toBe(true);
  });
});

describe('guardrails and determinism', () => {
  const many = Array.from({ length: 10 }, (_, i) => `p${i}@example.no`);
  const desired = desiredState(many.map((m) => employee(m, { fields: { jobTitle: 'Ny' } })));
  const observed = observedState(many.map((m) => user(m)));

  it('trips max-changes by absolute number and by percent', () => {
    const abs = planChanges(
      desired,
      observed,
      new Map(),
      planOptions({ guardrails: { maxChanges: { absolute: 5 }, maxSourceShrinkPercent: 20 } }),
    );
    expect(abs.guardrails.find((g) => g.name === 'max-changes')).toMatchObject({ tripped: true });
    const pct = planChanges(
      desired,
      observed,
      new Map(),
      planOptions({ guardrails: { maxChanges: { percent: 50 }, maxSourceShrinkPercent: 20 } }),
    );
    expect(pct.guardrails.find((g) => g.name === 'max-changes')?.message).toContain('limit of 5');
    const ok = planChanges(
      desired,
      observed,
      new Map(),
      planOptions({ guardrails: { maxChanges: { percent: 100 }, maxSourceShrinkPercent: 20 } }),
    );
    expect(ok.guardrails.find((g) => g.name === 'max-changes')?.tripped).toBe(false);
  });

  it('trips source-shrink when the source fell by more than the limit', () => {
    const shrunk = planChanges(desired, observed, new Map(), planOptions({ previousSourceCount: 100 }));
    expect(shrunk.guardrails.find((g) => g.name === 'source-shrink')).toMatchObject({ tripped: true });
    const fine = planChanges(desired, observed, new Map(), planOptions({ previousSourceCount: 11 }));
    expect(fine.guardrails.find((g) => g.name === 'source-shrink')?.tripped).toBe(false);
  });

  it('is deterministic whatever the input order', () => {
    const a = planChanges(desired, observed, new Map(), planOptions());
    const b = planChanges(
      desiredState([...desired.employees].reverse()),
      observedState([...observed.users].reverse()),
      new Map(),
      planOptions(),
    );
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(a.actions.map((x) => x.employee)).toEqual([...many].sort());
  });
});
