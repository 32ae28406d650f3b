import type { Settings } from '../config/settings.js';
import { formatPhone } from './format-phone.js';
import type { DesiredEmployee } from './model.js';
import type { Report } from './render-fields.js';
import type { SignatureCampaign, SignatureOffice, SignatureView } from './render-signature.js';
import type { SignatureUrlPolicy } from './url-policy.js';
import { isValidEmail } from './validate-url.js';

/** What a signature is built from: the employee's desired values and the office's signature view. */
export interface SignatureSource {
  email: string;
  fields: DesiredEmployee['fields'];
  photoUrl?: string;
  /** The office as signatures show it (`officeSignatureView`), shared by its employees. */
  office: SignatureOffice;
  variables: Record<string, string>;
  /** `signatureUrlPolicy(settings)`: one shared object, so views stay small. */
  urls: SignatureUrlPolicy;
  /** The banner of the employee's campaign at the plan's moment; absent: none. */
  campaign?: SignatureCampaign;
}

function text(value: string | string[] | null | undefined): string {
  if (typeof value === 'string') return value;
  return Array.isArray(value) ? (value[0] ?? '') : '';
}

/**
 * The office as signatures show it, from the normalized office row (refused values already ""):
 * its phone formatted for display, an invalid phone or email left out with a warning. Every
 * employee of an office can share one.
 */
export function officeSignatureView(
  office: Record<string, string>,
  phone: Settings['phone'],
  report: Report,
): SignatureOffice {
  let officePhone = office['phone'] ?? '';
  if (officePhone) {
    const formatted = formatPhone(officePhone, { ...phone, format: 'INTERNATIONAL' });
    if (!formatted.ok) {
      report({
        kind: 'invalid-value',
        severity: 'warning',
        field: 'office.phone',
        message: `office.phone ${formatted.reason}; left out of the signature`,
      });
    }
    officePhone = formatted.ok ? formatted.value : '';
  }
  let officeEmail = office['email'] ?? '';
  if (officeEmail && !isValidEmail(officeEmail)) {
    report({
      kind: 'invalid-email',
      severity: 'warning',
      field: 'office.email',
      message: 'office.email is not a valid email address; left out of the signature',
    });
    officeEmail = '';
  }
  return {
    name: office['name'] ?? '',
    streetAddress: office['street_address'] ?? '',
    postalCode: office['postal_code'] ?? '',
    city: office['city'] ?? '',
    phone: officePhone,
    email: officeEmail,
    homepage: office['homepage_url'] ?? '',
  };
}

/**
 * The signature shows what the directory will show: managed fields as desired (a field left
 * alone or not managed renders empty, so its section vanishes), office data straight from HR.
 */
export function signatureView(source: SignatureSource): SignatureView {
  const { fields } = source;
  const givenName = text(fields.givenName);
  const surname = text(fields.surname);
  return {
    employee: {
      givenName,
      surname,
      displayName: text(fields.displayName) || `${givenName} ${surname}`.trim(),
      jobTitle: text(fields.jobTitle),
      department: text(fields.department),
      officeLocation: text(fields.officeLocation),
      mobilePhone: text(fields.mobilePhone),
      email: source.email,
      photoUrl: source.photoUrl ?? '',
    },
    office: source.office,
    variables: source.variables,
    urls: source.urls,
    ...(source.campaign ? { campaign: source.campaign } : {}),
  };
}
