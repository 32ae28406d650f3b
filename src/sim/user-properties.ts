import type { SimUser } from './types.js';

/** The JSON type of a user property as Graph declares it. */
export type UserPropertyType = 'string' | 'string[]' | 'boolean';

/**
 * The user properties the simulator models, with their types. `isAdmin` and `hasMailbox` are the
 * simulator's own bookkeeping and are not part of `microsoft.graph.user`.
 * https://learn.microsoft.com/graph/api/resources/user
 */
export const USER_PROPERTY_TYPES = {
  id: 'string',
  userPrincipalName: 'string',
  mail: 'string',
  displayName: 'string',
  givenName: 'string',
  surname: 'string',
  jobTitle: 'string',
  department: 'string',
  officeLocation: 'string',
  mobilePhone: 'string',
  businessPhones: 'string[]',
  companyName: 'string',
  employeeId: 'string',
  streetAddress: 'string',
  city: 'string',
  postalCode: 'string',
  country: 'string',
  preferredLanguage: 'string',
  proxyAddresses: 'string[]',
  onPremisesSyncEnabled: 'boolean',
  accountEnabled: 'boolean',
} as const satisfies Record<string, UserPropertyType>;

export type UserPropertyName = keyof typeof USER_PROPERTY_TYPES;

/**
 * Maximum lengths from the user resource's property table (the simulator's own copy, written from
 * Microsoft's docs). https://learn.microsoft.com/graph/api/resources/user#properties
 */
export const USER_PROPERTY_MAX_LENGTH: Partial<Record<UserPropertyName, number>> = {
  givenName: 64,
  surname: 64,
  displayName: 256,
  jobTitle: 128,
  department: 64,
  companyName: 64,
  employeeId: 16,
  mobilePhone: 64,
  officeLocation: 128,
  streetAddress: 1024,
  city: 128,
  postalCode: 40,
  country: 128,
  mail: 254,
  userPrincipalName: 113,
};

/**
 * Returned when no `$select` is given (GET /users, GET /users/{id}, /users/delta).
 * https://learn.microsoft.com/graph/api/user-list#optional-query-parameters
 */
export const DEFAULT_USER_PROPERTIES: readonly UserPropertyName[] = [
  'businessPhones',
  'displayName',
  'givenName',
  'jobTitle',
  'mail',
  'mobilePhone',
  'officeLocation',
  'preferredLanguage',
  'surname',
  'userPrincipalName',
  'id',
];

export function isUserProperty(name: string): name is UserPropertyName {
  return Object.hasOwn(USER_PROPERTY_TYPES, name);
}

/** The value of one property, as Graph serialises it. */
export function userValue(user: SimUser, prop: UserPropertyName): string | string[] | boolean | null {
  const v = user[prop];
  return Array.isArray(v) ? [...v] : v;
}

/** The user as Graph returns it for the given property list (`id` always included). */
export function projectUser(user: SimUser, props: readonly UserPropertyName[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of props) out[p] = userValue(user, p);
  if (!('id' in out)) out['id'] = user.id;
  return out;
}

/** `https://…/v1.0/$metadata#users(a,b)` as Graph writes it for a `$select`. */
export function usersContext(origin: string, select: readonly string[] | undefined, entity = false): string {
  const sel = select ? `(${select.join(',')})` : '';
  return `${origin}/v1.0/$metadata#users${sel}${entity ? '/$entity' : ''}`;
}
