/**
 * Who may update profile photos through cloud services (Graph's beta `photoUpdateSettings`,
 * docs/microsoft-365.md#graph-photo-settings).
 */
export interface PhotoUpdateSettings {
  /** `cloud`, `onPremises` (cloud updates disabled for everyone), or a value added later. */
  source: string;
  /** Directory role template ids that may edit photos in the cloud; empty: no restriction. */
  allowedRoles: string[];
}

/** Tenant-wide settings that decide whether Roster's signatures and photos will take at all. */
export interface OrgSettingsPort {
  /**
   * `Get-OrganizationConfig` → `PostponeRoamingSignaturesUntilLater`: true means roaming signatures
   * are postponed, so signatures set through `Set-MailboxMessageConfiguration` take effect.
   */
  getRoamingSignaturesPostponed(): Promise<boolean>;
  /**
   * The tenant's photo update settings (needs `PeopleSettings.Read.All`). Absent in an
   * implementation that cannot tell: photos are then assumed updatable.
   */
  getPhotoUpdateSettings?(): Promise<PhotoUpdateSettings>;
}
