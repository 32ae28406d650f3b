import type { ObservedPhoto, ObservedSignature } from '../observe/model.js';
import type { ItemResult } from '../ports/item-result.js';
import { lookAtEmployee } from './look-at-employee.js';
import type { EmployeeLook, PlanDeps } from './make-plan.js';

/** One employee as planned from stored state, with its photo and signature read from the tenant now. */
export interface EmployeeReadBack {
  look: EmployeeLook;
  /** Undefined when photos are off or no tenant user matched. */
  photo?: ItemResult<ObservedPhoto | null>;
  /** Undefined when signatures are off or no tenant user matched. */
  signature?: ItemResult<ObservedSignature>;
}

/**
 * "Read back now" for one employee (the dashboard): its plan from the HR source and the stored
 * snapshot (see `lookAtEmployee`), then one photo metadata read
 * (https://learn.microsoft.com/graph/api/profilephoto-get) and one
 * `Get-MailboxMessageConfiguration` of its user through the ports, so the page can show the tenant's
 * current photo and signature beside the desired ones. Nothing is stored: the next deep check reads
 * them again. Undefined when the source has no row for `email`.
 */
export async function readBackEmployee(deps: PlanDeps, email: string): Promise<EmployeeReadBack | undefined> {
  const look = await lookAtEmployee(deps, email);
  if (!look) return undefined;
  const { user } = look;
  if (!user) return { look };
  const { settings } = deps.config;
  const [photo, signature] = await Promise.all([
    settings.photos.enabled ? deps.photos.getPhotoMeta([user.id]).then((r) => r[0]) : undefined,
    settings.signatures.enabled
      ? deps.signatures.getMessageConfigs([user.userPrincipalName]).then((r) => r[0])
      : undefined,
  ]);
  return { look, ...(photo ? { photo } : {}), ...(signature ? { signature } : {}) };
}
