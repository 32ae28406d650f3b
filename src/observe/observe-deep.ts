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
  roamingSignaturesPostponed: boolean | undefined;
  /** Why the tenant refuses photo uploads (its photo update settings), when it does. */
  photoUpdatesBlocked?: string;
  /** Reads that failed: those users rely on their last-applied record this run. */
  warnings: string[];
}

/**
 * Reads back what the service stores for photos and signatures, for the given users only; the
 * adapters batch and pace the requests within the service limits.
 */
export async function observeDeep(
  deps: { photos: PhotosPort; signatures: SignaturesPort; orgSettings: OrgSettingsPort },
  request: {
    photoUserIds: string[];
    signatureUsers: Array<{ userId: string; identity: string }>;
    readOrgSettings: boolean;
    /** Read the tenant's photo update settings (once per plan, when photos are managed). */
    readPhotoSettings?: boolean;
    /** Directory roles Roster's app holds (`photos.appRoles`), for `allowedRoles`. */
    photoAppRoles?: readonly string[];
  },
): Promise<DeepObservation> {
  const warnings: string[] = [];
  const readPhotoSettings = request.readPhotoSettings && deps.orgSettings.getPhotoUpdateSettings;
  const [photoResults, signatureResults, roaming, photoSettings] = await Promise.all([
    request.photoUserIds.length ? deps.photos.getPhotoMeta(request.photoUserIds) : Promise.resolve([]),
    request.signatureUsers.length
      ? deps.signatures.getMessageConfigs(request.signatureUsers.map((s) => s.identity))
      : Promise.resolve([]),
    request.readOrgSettings
      ? deps.orgSettings.getRoamingSignaturesPostponed().catch((error: unknown) => {
          warnings.push(`could not read the roaming-signature setting: ${(error as Error).message}`);
          return undefined;
        })
      : Promise.resolve(undefined),
    readPhotoSettings
      ? readPhotoSettings.call(deps.orgSettings).catch((error: unknown) => {
          // Photos are planned as usual: most tenants allow cloud updates.
          warnings.push(
            `photo update settings could not be read (grant PeopleSettings.Read.All to tell whether the tenant accepts photo updates): ${(error as Error).message}`,
          );
          return undefined;
        })
      : Promise.resolve(undefined),
  ]);
  const photos = new Map<string, ObservedPhoto | null>();
  for (const r of photoResults) {
    if (r.ok) photos.set(r.id, r.value);
    else warnings.push(`photo of user ${r.id} could not be read: ${r.error.message}`);
  }
  const signatures = new Map<string, ObservedSignature>();
  signatureResults.forEach((r, i) => {
    const user = request.signatureUsers[i];
    if (!user) return;
    if (r.ok) signatures.set(user.userId, r.value);
    else warnings.push(`signature of ${user.identity} could not be read: ${r.error.message}`);
  });
  const blocked = photoSettings ? photoUpdateBlock(photoSettings, request.photoAppRoles ?? []) : undefined;
  return {
    photos,
    signatures,
    roamingSignaturesPostponed: roaming,
    ...(blocked !== undefined ? { photoUpdatesBlocked: blocked } : {}),
    warnings,
  };
}
