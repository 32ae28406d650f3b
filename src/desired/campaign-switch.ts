import type { Campaign } from './campaign-model.js';
import { signatureCampaignOf } from './campaign-audience.js';
import type { DesiredSignature } from './model.js';
import type { SignatureCampaign, SignatureView } from './render-signature.js';
import { desiredSignatureHash } from './signature-hash.js';
import type { SignatureRenderer } from './signature-renderer.js';

/**
 * Whether a changed signature differs from what Roster last applied only by a campaign's banner:
 * the campaign whose banner comes on (or goes off), or undefined for any other change.
 */
export type CampaignSwitchCheck = (signature: DesiredSignature, appliedHash: string) => string | undefined;

/**
 * A switch check over the configured campaigns. It renders the desired view again with the banner
 * taken off, or with each campaign's banner put on, and compares hashes with the last-applied one:
 * called only for signatures that changed, so a run renders that much more only during a switch.
 * A campaign whose file was removed is no longer known: its banner going off is an ordinary change.
 */
export function createCampaignSwitchCheck(
  campaigns: readonly Campaign[],
  renderer: Pick<SignatureRenderer, 'render'>,
): CampaignSwitchCheck {
  const banners = campaigns.map(signatureCampaignOf);

  function hashOf(signature: DesiredSignature, campaign: SignatureCampaign | undefined): string | undefined {
    const { campaign: _current, ...rest } = signature.view;
    const view: SignatureView = campaign ? { ...rest, campaign } : rest;
    const rendered = renderer.render(signature.template, view);
    if ('error' in rendered) return undefined;
    return desiredSignatureHash(rendered.html, rendered.text, signature.flags);
  }

  return (signature, appliedHash) => {
    const current = signature.view.campaign;
    // On: the same signature without this banner (or with another campaign's) was applied.
    // Off: the same signature with some campaign's banner was applied.
    const before = [undefined, ...banners.filter((b) => b.id !== current?.id)];
    for (const banner of before) {
      if (!current && !banner) continue;
      if (hashOf(signature, banner) === appliedHash) return current?.id ?? banner?.id;
    }
    return undefined;
  };
}
