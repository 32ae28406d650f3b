import { createHash } from 'node:crypto';
import type { SignatureTemplate } from '../config/settings.js';
import type { DesiredSignature } from './model.js';
import type { SignatureView, SignatureWarning } from './render-signature.js';
import { desiredSignatureHash, flagString, type SignatureFlagValues } from './signature-hash.js';
import type { MadeSignature, SignatureMemo } from './signature-memo.js';
import type { SignatureRenderer } from './signature-renderer.js';

/** Shared by every signature that rendered without a warning (most of them). */
const NO_WARNINGS: readonly SignatureWarning[] = Object.freeze([]);

function render(
  renderer: SignatureRenderer,
  template: SignatureTemplate,
  view: SignatureView,
  flags: SignatureFlagValues,
): MadeSignature {
  const rendered = renderer.render(template.name, view);
  if ('error' in rendered) return rendered;
  // Hashed now, while the html is at hand; it is let go and rendered again only where written.
  const { warnings } = rendered;
  return {
    hash: desiredSignatureHash(rendered.html, rendered.text, flags),
    warnings: warnings.length > 0 ? warnings : (NO_WARNINGS as SignatureWarning[]),
  };
}

/**
 * One employee's desired signature: rendered once to hash it (or its hash taken from the memo when
 * the same template, view and flags made it before), kept as the value it is rendered from.
 */
export function makeDesiredSignature(
  input: { template: SignatureTemplate; view: SignatureView; flags: SignatureFlagValues },
  context: { memo: SignatureMemo | undefined; renderer: SignatureRenderer },
):
  { signature: DesiredSignature; warnings: SignatureWarning[] } | Extract<MadeSignature, { error: unknown }> {
  const { template, view, flags } = input;
  const { memo, renderer } = context;
  let made: MadeSignature | undefined;
  if (memo) {
    const digest = createHash('sha256')
      .update(JSON.stringify(view))
      .update(flagString(flags))
      .digest('base64');
    made = memo.get(template, digest);
    if (!made) {
      made = render(renderer, template, view, flags);
      memo.set(template, digest, made);
    }
  } else {
    made = render(renderer, template, view, flags);
  }
  if ('error' in made) return made;
  return { signature: { template: template.name, view, flags, hash: made.hash }, warnings: made.warnings };
}
