/**
 * The one list of what Roster manages in the tenant: the Entra ID user properties and the Outlook
 * signature settings. Pure data. The settings type, the length limits, the Graph mapping and the
 * clearing rule derive from it; the JSON Schemas in `schemas/` keep their own written list, and
 * `field-catalog.test.ts` holds them (and the simulator's own table) equal to this one.
 */

/** How a PATCH clears a property (docs/microsoft-365.md#graph-users-clear). */
export type FieldClearing =
  /** `null` (never `""`, which Graph refuses). */
  | 'null'
  /** `[]`: the only sourced way to empty a string collection. */
  | 'empty-list'
  /** Entra ID refuses to clear it ("cannot be cleared during updates"). */
  | 'never';

export interface FieldSpec {
  /** The Microsoft Graph user property (Roster's field names are Graph's). */
  graph: string;
  /** The property's JSON type (https://learn.microsoft.com/graph/api/resources/user#properties). */
  type: 'string' | 'string[]';
  /** Documented maximum length of a value (of each entry for a list); absent when not documented. */
  maxLength?: number;
  clearing: FieldClearing;
}

/**
 * Every Entra ID user property Roster can manage. Maximum lengths: docs/microsoft-365.md#graph-users-lengths
 * (none is documented for a `businessPhones` entry).
 */
export const FIELD_CATALOG = {
  givenName: { graph: 'givenName', type: 'string', maxLength: 64, clearing: 'null' },
  surname: { graph: 'surname', type: 'string', maxLength: 64, clearing: 'null' },
  displayName: { graph: 'displayName', type: 'string', maxLength: 256, clearing: 'never' },
  jobTitle: { graph: 'jobTitle', type: 'string', maxLength: 128, clearing: 'null' },
  department: { graph: 'department', type: 'string', maxLength: 64, clearing: 'null' },
  officeLocation: { graph: 'officeLocation', type: 'string', maxLength: 128, clearing: 'null' },
  mobilePhone: { graph: 'mobilePhone', type: 'string', maxLength: 64, clearing: 'null' },
  // "Only one number can be set for this property" (user-update): Roster manages one.
  businessPhones: { graph: 'businessPhones', type: 'string[]', clearing: 'empty-list' },
  companyName: { graph: 'companyName', type: 'string', maxLength: 64, clearing: 'null' },
  employeeId: { graph: 'employeeId', type: 'string', maxLength: 16, clearing: 'null' },
  streetAddress: { graph: 'streetAddress', type: 'string', maxLength: 1024, clearing: 'null' },
  city: { graph: 'city', type: 'string', maxLength: 128, clearing: 'null' },
  postalCode: { graph: 'postalCode', type: 'string', maxLength: 40, clearing: 'null' },
  country: { graph: 'country', type: 'string', maxLength: 128, clearing: 'null' },
} as const satisfies Record<string, FieldSpec>;

/** Entra ID user properties Roster can manage. */
export type ManagedField = keyof typeof FIELD_CATALOG;

/** The managed fields in catalog order. */
export const MANAGED_FIELDS = Object.keys(FIELD_CATALOG) as readonly ManagedField[];

export function fieldSpec(field: ManagedField): FieldSpec {
  return FIELD_CATALOG[field];
}

/** The value a Graph PATCH carries to clear `field`; undefined when Entra ID cannot clear it. */
export function clearingValue(field: ManagedField): null | [] | undefined {
  const { clearing } = fieldSpec(field);
  if (clearing === 'never') return undefined;
  return clearing === 'empty-list' ? [] : null;
}

/**
 * The signature settings Roster writes with every signature, in the order their fingerprint
 * hashes them (stored hashes depend on it: append only), with the
 * `Set-MailboxMessageConfiguration` parameter of each (docs/microsoft-365.md#exo-message-configuration).
 */
export const SIGNATURE_FLAGS = [
  { key: 'autoAddSignature', parameter: 'AutoAddSignature' },
  { key: 'autoAddSignatureOnReply', parameter: 'AutoAddSignatureOnReply' },
  { key: 'autoAddSignatureOnMobile', parameter: 'AutoAddSignatureOnMobile' },
  { key: 'useDefaultSignatureOnMobile', parameter: 'UseDefaultSignatureOnMobile' },
] as const;

export type SignatureFlag = (typeof SIGNATURE_FLAGS)[number]['key'];

/** The signature settings, one boolean each: the one type every layer uses for them. */
export type SignatureFlags = Record<SignatureFlag, boolean>;

/** Only the flags of anything that has them (a settings block, a desired or observed signature). */
export function pickSignatureFlags(from: SignatureFlags): SignatureFlags {
  const flags = {} as SignatureFlags;
  for (const { key } of SIGNATURE_FLAGS) flags[key] = from[key];
  return flags;
}
