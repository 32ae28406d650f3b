import { SIGNATURE_FLAGS, type SignatureFlag } from '../../config/field-catalog.js';
import { RemoteApiError } from '../../errors/roster-error.js';
import type { ObservedSignature } from '../../observe/model.js';
import type { ItemResult } from '../../ports/item-result.js';
import type { SignaturesPort, SignatureUpdate } from '../../ports/signatures.js';
import type { ExchangeClient } from './exchange-client.js';

/** Cmdlet parameter names of the signature settings Roster manages (flags from the catalog). */
const PARAMETERS = {
  html: 'SignatureHtml',
  text: 'SignatureText',
  ...(Object.fromEntries(SIGNATURE_FLAGS.map((f) => [f.key, f.parameter])) as Record<SignatureFlag, string>),
} satisfies Record<keyof ObservedSignature, string>;

function toObservedSignature(raw: Record<string, unknown>): ObservedSignature {
  const str = (k: string) => (typeof raw[k] === 'string' ? raw[k] : '');
  const signature = { html: str(PARAMETERS.html), text: str(PARAMETERS.text) } as ObservedSignature;
  for (const { key, parameter } of SIGNATURE_FLAGS) signature[key] = raw[parameter] === true;
  return signature;
}

/** Reads in flight at once in `getMessageConfigs` (Exchange's own concurrency is lower still). */
const READ_WINDOW = 16;

/**
 * The signatures port over `Get-/Set-MailboxMessageConfiguration`.
 * https://learn.microsoft.com/powershell/module/exchange/get-mailboxmessageconfiguration
 * https://learn.microsoft.com/powershell/module/exchange/set-mailboxmessageconfiguration
 */
export function createExchangeSignatures(exchange: ExchangeClient): SignaturesPort {
  async function readOne(id: string): Promise<ItemResult<ObservedSignature>> {
    try {
      const result = await exchange.invoke(
        'Get-MailboxMessageConfiguration',
        { Identity: id },
        { select: Object.values(PARAMETERS), key: id.toLowerCase() },
      );
      const first = result.value[0];
      if (!first) {
        const error = new RemoteApiError(
          'exchange',
          200,
          'EmptyResult',
          `exchange Get-MailboxMessageConfiguration: no configuration returned for ${id}`,
        );
        return { id, ok: false, error };
      }
      return { id, ok: true, value: toObservedSignature(first) };
    } catch (err) {
      if (err instanceof RemoteApiError) return { id, ok: false, error: err };
      throw err;
    }
  }

  return {
    /**
     * Concurrently, through a window of `READ_WINDOW` reads: the Exchange limiter bounds what is in
     * flight anyway, and starting every read at once would park one request per mailbox in its
     * queue for the whole run.
     */
    async getMessageConfigs(identities) {
      const results: ItemResult<ObservedSignature>[] = new Array(identities.length);
      let next = 0;
      const worker = async () => {
        while (next < identities.length) {
          const i = next++;
          results[i] = await readOne(identities[i]!);
        }
      };
      await Promise.all(Array.from({ length: Math.min(READ_WINDOW, identities.length) }, worker));
      return results;
    },

    async setMessageConfig(identity, update: SignatureUpdate) {
      const parameters: Record<string, unknown> = { Identity: identity };
      for (const [key, name] of Object.entries(PARAMETERS)) {
        const value = update[key as keyof ObservedSignature];
        if (value !== undefined) parameters[name] = value;
      }
      const result = await exchange.invoke('Set-MailboxMessageConfiguration', parameters, {
        key: identity.toLowerCase(),
      });
      return { warnings: result.warnings };
    },
  };
}
