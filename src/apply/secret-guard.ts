import type { PlanAction } from '../plan/plan-model.js';
import type { ActionOutcome } from './action-outcome.js';

/** Names the secret a value holds (see `SecretScrubber.find`), or undefined. */
export type SecretFinder = (text: string) => string | undefined;

/** The values an action would send to the tenant (or, for a photo, the URL it would fetch). */
function outgoing(action: PlanAction): [string, string][] {
  switch (action.kind) {
    case 'update-profile':
      return action.changes.flatMap((c) => {
        const values = c.after === null ? [] : Array.isArray(c.after) ? c.after : [c.after];
        return values.map((v): [string, string] => [c.field, v]);
      });
    case 'set-photo':
      return [['photo URL', action.sourceUrl]];
    case 'set-signature':
      return [
        ['signature HTML', action.html],
        ['signature text', action.text],
      ];
  }
}

/**
 * A write whose value holds a known secret fails, and is reported, instead of going out: the
 * scrubber keeps secrets out of what Roster shows, this keeps them out of what it writes (a
 * signature is seen by every recipient). Undefined when the action is clean.
 */
export function refuseSecrets(action: PlanAction, find: SecretFinder | undefined): ActionOutcome | undefined {
  if (!find) return undefined;
  for (const [what, value] of outgoing(action)) {
    const secret = find(value);
    if (secret === undefined) continue;
    return {
      status: 'failed',
      before: null,
      after: null,
      failure: {
        code: 'SecretInValue',
        message: `refused: the ${what} for ${action.employee} contains ${secret}; nothing was written (check the HR data, overrides, template variables and settings this value comes from)`,
      },
    };
  }
  return undefined;
}
