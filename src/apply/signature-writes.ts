import { observedSignatureFingerprint } from '../plan/fingerprints.js';
import type { SetSignatureAction } from '../plan/plan-model.js';
import type { SignaturesPort } from '../ports/signatures.js';
import { failureOf, type ActionOutcome } from './action-outcome.js';

function sides(action: SetSignatureAction) {
  return {
    before: { fingerprint: action.expectedFingerprint ?? 'not checked', text: action.currentText ?? null },
    after: { template: action.template, desiredHash: action.desiredHash, text: action.text, ...action.flags },
  };
}

/**
 * Re-reads the signatures the plan read (Exchange has no batch; the adapter runs the reads
 * concurrently within its limiter). Returns the outcome of each action that must not be written.
 * An action planned without a deep check (`expectedFingerprint` undefined) is not checked.
 */
export async function checkSignatures(
  actions: SetSignatureAction[],
  signatures: SignaturesPort,
): Promise<Map<string, ActionOutcome>> {
  const blocked = new Map<string, ActionOutcome>();
  const checked = actions.filter((a) => typeof a.expectedFingerprint === 'string');
  if (checked.length === 0) return blocked;
  let configs;
  try {
    configs = await signatures.getMessageConfigs(checked.map((a) => a.userPrincipalName));
  } catch (error) {
    for (const a of checked) blocked.set(a.key, { status: 'failed', ...sides(a), failure: failureOf(error) });
    return blocked;
  }
  checked.forEach((a, i) => {
    const config = configs[i];
    if (!config || !config.ok) {
      const failure = config ? failureOf(config.error) : { message: 'internal error: no read result' };
      blocked.set(a.key, { status: 'failed', ...sides(a), failure });
      return;
    }
    if (observedSignatureFingerprint(config.value) !== a.expectedFingerprint) {
      blocked.set(a.key, {
        status: 'skipped-stale',
        ...sides(a),
        message: 'signature: it was changed in the mailbox after the plan was made',
      });
    }
  });
  return blocked;
}

/**
 * One `Set-MailboxMessageConfiguration` with the html, text and flags, and nothing else: a read
 * right after it may not show it yet (docs/microsoft-365.md#exo-propagation), and Exchange may
 * rewrite the HTML (#exo-signature-html). A later deep check adopts the fingerprint of what the
 * mailbox then holds (see `planSignature`), which keeps the plan after it empty.
 */
export async function writeSignature(
  action: SetSignatureAction,
  signatures: SignaturesPort,
  now: () => Date,
): Promise<ActionOutcome> {
  const { before, after } = sides(action);
  try {
    await signatures.setMessageConfig(action.userPrincipalName, {
      html: action.html,
      text: action.text,
      ...action.flags,
    });
  } catch (error) {
    return { status: 'failed', before, after, failure: failureOf(error) };
  }
  return {
    status: 'applied',
    before,
    after,
    lastApplied: {
      userId: action.userId,
      aspect: 'signature',
      desiredHash: action.desiredHash,
      observedFingerprint: null,
      appliedAt: now().toISOString(),
      ...(action.expectedFingerprint !== undefined
        ? { value: { beforeWrite: action.expectedFingerprint } }
        : {}),
    },
  };
}
