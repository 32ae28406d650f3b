import type { Controller } from '../../controller/controller.js';
import type { SignatureText } from '../../desired/signature-renderer.js';
import { campaignPreview, campaignRows, type CampaignRow } from './campaign-view.js';

/** A preview of one employee's signature with and without a campaign's banner. */
export interface CampaignPreview {
  campaign: CampaignRow;
  email: string;
  with: SignatureText;
  without: SignatureText;
}

/** What the campaigns page reads: the configured campaigns, and previews planned on demand. */
export interface CampaignSource {
  list(): { tenantId: string; rows: CampaignRow[] };
  /** Undefined when there is no such campaign, or no managed signature for the employee. */
  preview(campaignId: string, email: string): Promise<CampaignPreview | undefined>;
}

/**
 * The campaigns of the controller's configuration, with the audiences its latest plan counted;
 * a preview plans the one employee from the HR source and the stored snapshot (no Microsoft call).
 */
export function createControllerCampaignSource(
  controller: Controller,
  now: () => Date = () => new Date(),
): CampaignSource {
  const rows = () => {
    const config = controller.currentConfig();
    return campaignRows(config?.campaigns ?? [], controller.latestPlan()?.campaigns, now().getTime());
  };
  return {
    list: () => ({ tenantId: controller.currentConfig()?.settings.tenant.id ?? '', rows: rows() }),
    async preview(campaignId, email) {
      const config = controller.currentConfig();
      const campaign = config?.campaigns?.find((c) => c.id === campaignId);
      const row = rows().find((r) => r.id === campaignId);
      if (!config || !campaign || !row) return undefined;
      const look = await controller.lookAtEmployee(email);
      const signature = look?.employee?.signature;
      if (!signature) return undefined;
      return {
        campaign: row,
        email: look.summary.email,
        ...campaignPreview(signature, campaign, config.templates),
      };
    },
  };
}
