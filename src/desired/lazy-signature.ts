import { packText, packedTextOf, type PackedText } from '../compact/packed-text.js';
import { SIGNATURE_FLAGS } from '../config/field-catalog.js';
import type { SignatureTemplate } from '../config/settings.js';
import type { DesiredSignature } from './model.js';
import { renderSignature, type SignatureView } from './render-signature.js';
import type { SignatureFlagValues } from './signature-hash.js';

/**
 * A desired signature keeps what it is rendered from, not its rendering: the view refers to
 * strings the employee's desired fields and the office already hold, so it costs a few hundred
 * bytes where the rendered html and text cost kilobytes (most of a 50,000-employee run's desired
 * state). A plan needs only the hash (taken when the signature was first rendered); `html` and
 * `text` render again when read, for the few employees whose signature is written.
 */
interface SignatureSource {
  readonly template: SignatureTemplate;
  readonly view: SignatureView;
}

const SOURCE = Symbol('signature source');

type LazyHolder = { [SOURCE]: SignatureSource };

/** The last rendering, so reading `html` and then `text` (as a plan action does) renders once. */
let last: { source: SignatureSource; html: string; text: string; dictionary: Buffer } | undefined;

function rendered(holder: LazyHolder): NonNullable<typeof last> {
  const source = holder[SOURCE];
  if (last?.source !== source) {
    const result = renderSignature(source.template, source.view);
    // The same template and view rendered without error when the signature was made.
    if ('error' in result) throw new Error(`signature no longer renders: ${result.error.message}`);
    last = { source, html: result.html, text: result.text, dictionary: result.dictionary };
  }
  return last;
}

// One accessor pair for every signature: objects built alike share one hidden class.
const textAccessor: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazyHolder): string {
    return rendered(this).text;
  },
};
const htmlAccessor: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: LazyHolder): string {
    return rendered(this).html;
  },
};

/**
 * A desired signature whose `html` and `text` are rendered from `template` and `view` when read.
 * `hash` must be the `desiredSignatureHash` of that rendering. Properties enumerate in the
 * order of an eager signature: template, text, the four flags, hash, html.
 */
export function lazySignature(
  template: SignatureTemplate,
  view: SignatureView,
  flags: SignatureFlagValues,
  hash: string,
): DesiredSignature {
  const signature = { template: template.name } as Record<PropertyKey, unknown>;
  Object.defineProperty(signature, SOURCE, { value: { template, view } satisfies SignatureSource });
  Object.defineProperty(signature, 'text', textAccessor);
  for (const { key } of SIGNATURE_FLAGS) signature[key] = flags[key];
  signature['hash'] = hash;
  Object.defineProperty(signature, 'html', htmlAccessor);
  return signature as unknown as DesiredSignature;
}

/**
 * A signature's html packed for keeping (in a plan action): deflated against its template when
 * it is rendered on demand, its own packed form when it has one, else packed as it is.
 */
export function packedSignatureHtml(signature: DesiredSignature): string | PackedText {
  if (SOURCE in signature) {
    const { html, dictionary } = rendered(signature as unknown as LazyHolder);
    return packText(html, dictionary);
  }
  return packedTextOf(signature, 'html') ?? signature.html;
}
