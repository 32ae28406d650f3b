import type { DesiredEmployee, DesiredState } from '../desired/model.js';
import type {
  AppliedDigest,
  ObservedPhoto,
  ObservedSignature,
  ObservedState,
  ObservedUser,
} from '../observe/model.js';
import { desiredSignatureHash, observedSignatureFingerprint } from './fingerprints.js';
import { lastAppliedKey } from './last-applied-key.js';
import type { PlanOptions } from './plan-changes.js';

/** Small in-memory builders for planner tests. */
export function employee(email: string, partial: Partial<DesiredEmployee> = {}): DesiredEmployee {
  return {
    key: email.toLowerCase(),
    email,
    sourceId: email,
    officeName: 'Oslo',
    fields: { givenName: 'Åse', surname: 'Ærø', displayName: 'Åse Ærø', jobTitle: 'Rådgiver' },
    ...partial,
  };
}

export function user(upn: string, partial: Partial<ObservedUser> = {}): ObservedUser {
  return {
    id: `id-${upn}`,
    userPrincipalName: upn,
    mail: upn,
    proxyAddresses: [`SMTP:${upn}`],
    onPremisesSyncEnabled: false,
    fields: { givenName: 'Åse', surname: 'Ærø', displayName: 'Åse Ærø', jobTitle: 'Rådgiver' },
    ...partial,
  };
}

export function desiredState(
  employees: DesiredEmployee[],
  partial: Partial<DesiredState> = {},
): DesiredState {
  return { employees, excluded: [], issues: [], sourceCount: employees.length, ...partial };
}

export function observedState(users: ObservedUser[], partial: Partial<ObservedState> = {}): ObservedState {
  return {
    users,
    photos: new Map<string, ObservedPhoto | null>(),
    signatures: new Map<string, ObservedSignature>(),
    roamingSignaturesPostponed: true,
    deepChecked: { photos: true, signatures: true },
    warnings: [],
    ...partial,
  };
}

export function planOptions(partial: Partial<PlanOptions> = {}): PlanOptions {
  return {
    tenantId: 'tenant-1',
    configRevision: 'rev-1',
    scopeDomains: ['example.no'],
    photos: true,
    signatures: true,
    guardrails: { maxChanges: { absolute: 1000 }, maxSourceShrinkPercent: 20 },
    whenRoamingEnabled: 'refuse',
    ...partial,
  };
}

export const flags = {
  autoAddSignature: true,
  autoAddSignatureOnReply: false,
  autoAddSignatureOnMobile: false,
  useDefaultSignatureOnMobile: false,
};

export function signature(html: string, text = 'text') {
  return { template: 'default', html, text, ...flags, hash: desiredSignatureHash(html, text, flags) };
}

export function observedSig(html: string, text = 'text', f = flags): ObservedSignature {
  return { html, text, ...f };
}

/** Last-applied digests as Roster leaves them after a successful write. */
export function appliedSignature(
  userId: string,
  html: string,
  text: string,
  stored: ObservedSignature,
): [string, AppliedDigest] {
  return [
    lastAppliedKey(userId, 'signature'),
    {
      desiredHash: desiredSignatureHash(html, text, flags),
      observedFingerprint: observedSignatureFingerprint(stored),
    },
  ];
}

export function appliedPhoto(
  userId: string,
  sourceUrl: string,
  contentHash: string,
  etag: string,
): [string, AppliedDigest] {
  return [
    lastAppliedKey(userId, 'photo'),
    { desiredHash: contentHash, observedFingerprint: etag, sourceUrl },
  ];
}
