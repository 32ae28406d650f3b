import type { ManagedField } from '../config/settings.js';
import type { SignatureView } from './render-signature.js';
import type { SignatureFlagValues } from './signature-hash.js';

/** One row of the HR source: employee columns and the joined office's columns, raw. */
export interface SourceRow {
  employee: Record<string, string | null>;
  office: Record<string, string | null>;
}

/** A problem with one employee (or one override) that keeps it out of the run, never the others. */
export interface EmployeeIssue {
  employee?: string;
  kind:
    | 'duplicate-email'
    | 'invalid-email'
    | 'too-long'
    | 'invalid-value'
    | 'invalid-url'
    | 'template-error'
    | 'signature-too-long'
    | 'unknown-override-target';
  field?: string;
  message: string;
  /**
   * `error` (the default when absent): the employee is left out of the run entirely.
   * `warning`: the employee is kept and only the named field (or signature section, or photo)
   * is left alone; unknown override targets are warnings too.
   */
  severity?: 'error' | 'warning';
}

/**
 * An employee's signature as a value: what it is rendered from, not its rendering. Its html and
 * text come from an explicit `SignatureRenderer.renderDesired` call where they are written (a
 * plan action, a page); planning compares `hash` only.
 */
export interface DesiredSignature {
  /** Template name: `templates/<template>.html.mustache` and its text twin. */
  template: string;
  view: SignatureView;
  flags: SignatureFlagValues;
  /** `desiredSignatureHash` of the rendered html and text and of `flags`. */
  hash: string;
}

/** What one employee should look like in the tenant. */
export interface DesiredEmployee {
  /** Match key: the email, lowercased. */
  key: string;
  email: string;
  sourceId: string;
  officeName: string | null;
  /**
   * Managed fields: a string sets the value; `null` clears it (only for `clearWhenEmpty`);
   * an absent key means "leave the tenant value alone" (empty source value).
   */
  fields: Partial<Record<ManagedField, string | string[] | null>>;
  /** Absolute photo URL, or undefined when the employee has none (never clears a photo). */
  photoUrl?: string;
  signature?: DesiredSignature;
}

export interface DesiredState {
  employees: DesiredEmployee[];
  /** Emails excluded by an override: never acted on. */
  excluded: string[];
  issues: EmployeeIssue[];
  /** Active rows read from the source (before exclusion and error filtering): for the shrink guardrail. */
  sourceCount: number;
}
