import type { DesiredEmployee, DesiredSignature, DesiredState } from '../desired/model.js';
import type { SignatureText } from '../desired/signature-renderer.js';
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
    renderSignature: renderTestSignature,
    ...partial,
  };
}

export const flags = {
  autoAddSignature: true,
  autoAddSignatureOnReply: false,
  autoAddSignatureOnMobile: false,
  useDefaultSignatureOnMobile: false,
};

const NO_EMPLOYEE = {
  givenName: '',
  surname: '',
  displayName: '',
  jobTitle: '',
  department: '',
  officeLocation: '',
  mobilePhone: '',
  email: '',
  photoUrl: '',
};
const NO_OFFICE = {
  name: '',
  streetAddress: '',
  postalCode: '',
  city: '',
  phone: '',
  email: '',
  homepage: '',
};

/** The test views' URL policy: https on any host of example.no. */
const NO_URLS = {
  photo: { schemes: ['https:'], allowedHosts: ['*.example.no'], setting: 'photos.allowedHosts' },
  link: { schemes: ['https:'], allowedHosts: ['*.example.no'], setting: 'signatures.allowedHosts' },
};

/**
 * A desired signature that renders as `html` and `text`: its view carries them, and
 * `renderTestSignature` (the planner tests' renderer) gives them back.
 */
export function signature(html: string, text = 'text'): DesiredSignature {
  return {
    template: 'default',
    view: { employee: NO_EMPLOYEE, office: NO_OFFICE, variables: { html, text }, urls: NO_URLS },
    flags,
    hash: desiredSignatureHash(html, text, flags),
  };
}

export function renderTestSignature(s: DesiredSignature): SignatureText {
  return { html: s.view.variables['html'] ?? '', text: s.view.variables['text'] ?? '' };
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
