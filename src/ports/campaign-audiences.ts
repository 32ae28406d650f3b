/** The audience one plan showed for a campaign boundary: who that start or end switches. */
export interface ShownAudience {
  campaign: string;
  kind: 'start' | 'end';
  /** The boundary, ISO 8601 in UTC (as the plan shows it). */
  at: string;
  audience: number;
}

/**
 * The campaign audiences plans have shown, kept in the state database. A campaign switch is exempt
 * from `maxChanges` only within the audience shown before it (docs/campaigns.md, "Safety"): a run
 * that no person reviews (the controller's) bounds its exemption with what earlier plans showed.
 */
export interface CampaignAudienceStore {
  /** The latest audience shown for each boundary of the tenant's campaigns. */
  shownAudiences(tenantId: string): Promise<ShownAudience[]>;
  /** Records what a whole-tenant plan showed (a boundary shown again keeps the latest count). */
  recordShown(tenantId: string, shown: readonly ShownAudience[], shownAt: Date): Promise<void>;
  close(): Promise<void>;
}
