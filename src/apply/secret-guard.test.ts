import { describe, expect, it } from 'vitest';
import { createScrubber } from '../secrets/secret-scrubber.js';
import type { PlanAction } from '../plan/plan-model.js';
import { refuseSecrets } from './secret-guard.js';

const find = createScrubber([{ name: 'AZURE_CLIENT_SECRET', value: 'client-secret-value' }]).find;
const base = { userId: 'u1', userPrincipalName: 'kari@example.no', employee: 'kari@example.no', reason: 'r' };

function outcomeOf(action: Partial<PlanAction>) {
  return refuseSecrets(action as PlanAction, find);
}

describe('refuseSecrets', () => {
  it('fails a profile change whose new value holds a secret, naming field, employee and secret', () => {
    const outcome = outcomeOf({
      ...base,
      kind: 'update-profile',
      key: 'kari@example.no#profile',
      changes: [
        { field: 'department', before: null, after: 'Oslo' },
        { field: 'jobTitle', before: 'CEO', after: 'CEO client-secret-value' },
      ],
    });
    expect(outcome).toMatchObject({
      status: 'failed',
      failure: {
        code: 'SecretInValue',
        message: expect.stringContaining(
          'the jobTitle for kari@example.no contains AZURE_CLIENT_SECRET; nothing was written',
        ),
      },
    });
    expect(JSON.stringify(outcome)).not.toContain('client-secret-value');
  });

  it('checks signature html and text, photo URLs and list values; clean actions pass', () => {
    const signature = { ...base, kind: 'set-signature', key: 'k#signature', html: '<p>x</p>', text: 'x' };
    expect(outcomeOf(signature as Partial<PlanAction>)).toBeUndefined();
    expect(outcomeOf({ ...signature, text: 'x client-secret-value' } as Partial<PlanAction>)?.status).toBe(
      'failed',
    );
    const photo = {
      ...base,
      kind: 'set-photo',
      key: 'k#photo',
      sourceUrl: 'https://hr/p.jpg?t=client-secret-value',
    };
    expect(outcomeOf(photo as Partial<PlanAction>)?.status).toBe('failed');
    const phones = {
      ...base,
      kind: 'update-profile',
      key: 'k#profile',
      changes: [{ field: 'businessPhones', before: null, after: ['+47 1', 'client-secret-value'] }],
    };
    expect(outcomeOf(phones as Partial<PlanAction>)?.status).toBe('failed');
    // A value the plan writer redacted is refused too: writing "[redacted]" would be a wrong write.
    expect(outcomeOf({ ...signature, html: '<p>[redacted]</p>' } as Partial<PlanAction>)?.status).toBe(
      'failed',
    );
  });

  it('does nothing without a finder', () => {
    expect(
      refuseSecrets(
        { ...base, kind: 'set-photo', key: 'k', sourceUrl: 'client-secret-value' } as PlanAction,
        undefined,
      ),
    ).toBeUndefined();
  });
});
