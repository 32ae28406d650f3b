import type { SignatureTemplate } from '../config/settings.js';
import type { DesiredSignature } from './model.js';
import {
  prepareTemplate,
  renderPrepared,
  type PreparedTemplate,
  type RenderedSignature,
  type SignatureView,
} from './render-signature.js';

/** A signature's html and text, rendered. */
export interface SignatureText {
  html: string;
  text: string;
}

/**
 * Renders signatures from one configuration's templates. Each template is prepared (checked, CSS
 * inlined) the first time it is used and kept by this renderer, so whoever creates a renderer
 * decides how long that lasts (one run); nothing is kept anywhere else.
 */
export interface SignatureRenderer {
  /** Renders `view` with the template named `template` (an unknown name is a template error). */
  render(template: string, view: SignatureView): RenderedSignature;
  /**
   * The html and text of a desired signature. It rendered without error when it was made from
   * the same templates, so a failure here is a bug and throws.
   */
  renderDesired(signature: DesiredSignature): SignatureText;
}

export function createSignatureRenderer(
  templates: ReadonlyMap<string, SignatureTemplate>,
): SignatureRenderer {
  const prepared = new Map<string, PreparedTemplate>();

  function render(name: string, view: SignatureView): RenderedSignature {
    let ready = prepared.get(name);
    if (!ready) {
      const template = templates.get(name);
      if (!template) {
        return { error: { kind: 'template-error', message: `signature template "${name}" does not exist` } };
      }
      ready = prepareTemplate(template);
      prepared.set(name, ready);
    }
    return renderPrepared(ready, view);
  }

  return {
    render,
    renderDesired(signature) {
      const result = render(signature.template, signature.view);
      if ('error' in result) {
        throw new Error(`a desired signature no longer renders (a bug): ${result.error.message}`);
      }
      return { html: result.html, text: result.text };
    },
  };
}
