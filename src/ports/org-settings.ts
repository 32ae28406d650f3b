/** Tenant-wide settings that decide whether Roster's signatures will show at all. */
export interface OrgSettingsPort {
  /**
   * `Get-OrganizationConfig` → `PostponeRoamingSignaturesUntilLater`: true means roaming signatures
   * are postponed, so signatures set through `Set-MailboxMessageConfiguration` take effect.
   */
  getRoamingSignaturesPostponed(): Promise<boolean>;
}
