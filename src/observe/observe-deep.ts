import type { ObservedPhoto, ObservedSignature } from './model.js';
import type { OrgSettingsPort } from '../ports/org-settings.js';
import type { PhotosPort } from '../ports/photos.js';
import type { SignaturesPort } from '../ports/signatures.js';
import { photoUpdateBlock } from './photo-update-block.js';

export interface DeepObservation {
  /** Only users whose photo metadata was read successfully. */
  photos: Map<string, ObservedPhoto | null>;
  /** Only users whose signature was read successfully, by user id. */
  signatures: Map<string, ObservedSignature>;
  /** Reads that failed (those users rely on their last-applied record this run), by aspect. */
  warnings: { photos: string[]; signatures: string[] };
}

/**
 * Reads back what the service stores for photos and signatures, for the given users only (a
 * slice of a plan); the adapters batch and pace the requests within the service limits.
 */
export async function observeDeep(
  deps: { photos: PhotosPort; signatures: SignaturesPort },
  request: {
    photoUserIds: string[];
    signatureUsers: Array<{ userId: string; identity: string }>;
  },
): Promise<DeepObservation> {
  const [photoResults, signatureResults] = await Promise.all([
    request.photoUserIds.length ? deps.photos.getPhotoMeta(request.photoUserIds) : Promise.resolve([]),
    request.signatureUsers.length
      ? deps.signatures.getMessageConfigs(request.signatureUsers.map((s) => s.identity))
      : Promise.resolve([]),
  ]);
  const warnings: DeepObservation['warnings'] = { photos: [], signatures: [] };
  const photos = new Map<string, ObservedPhoto | null>();
  for (const r of photoResults) {
    if (r.ok) photos.set(r.id, r.value);
    else warnings.photos.push(`photo of user ${r.id} could not be read: ${r.error.message}`);
  }
  const signatures = new Map<string, ObservedSignature>();
  signatureResults.forEach((r, i) => {
    const user = request.signatureUsers[i];
    if (!user) return;
    if (r.ok) signatures.set(user.userId, r.value);
    else warnings.signatures.push(`signature of ${user.identity} could not be read: ${r.error.message}`);
  });
  return { photos, signatures, warnings };
}

/** `Get-OrganizationConfig` → PostponeRoamingSignaturesUntilLater; a failed read is a warning. */
export async function readRoamingSetting(
  orgSettings: OrgSettingsPort,
): Promise<{ postponed: boolean | undefined; warning?: string }> {
  try {
    return { postponed: await orgSettings.getRoamingSignaturesPostponed() };
  } catch (error) {
    return {
      postponed: undefined,
      warning: `could not read the roaming-signature setting: ${(error as Error).message}`,
    };
  }
}

/**
 * The tenant's photo update settings (Graph `admin/people/photoUpdateSettings`) as the reason no
 * photo can be uploaded, when there is one. A failed read is a warning, and photos are planned as
 * usual: most tenants allow cloud updates.
 */
export async function readPhotoUpdateBlock(
  orgSettings: OrgSettingsPort,
  appRoles: readonly string[],
): Promise<{ blocked?: string; warning?: string }> {
  if (!orgSettings.getPhotoUpdateSettings) return {};
  try {
    const blocked = photoUpdateBlock(await orgSettings.getPhotoUpdateSettings(), appRoles);
    return blocked !== undefined ? { blocked } : {};
  } catch (error) {
    return {
      warning: `photo update settings could not be read (grant PeopleSettings.Read.All to tell whether the tenant accepts photo updates): ${(error as Error).message}`,
    };
  }
}
