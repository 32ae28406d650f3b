import type { ObservedSignature } from '../observe/model.js';
import type { ItemResult } from './item-result.js';

/** What `Set-MailboxMessageConfiguration` should change; absent keys are left alone. */
export type SignatureUpdate = Partial<ObservedSignature>;

/**
 * Outlook signatures of mailboxes (Exchange `Get/Set-MailboxMessageConfiguration` in the adapter).
 * Behind its own interface so another backend can replace the undocumented REST endpoint.
 */
export interface SignaturesPort {
  /** By identity (UPN, mail or object id); results in input order, `id` = the identity asked. */
  getMessageConfigs(identities: string[]): Promise<ItemResult<ObservedSignature>[]>;
  /** Returns the service's warnings (e.g. "the command completed but nothing changed"). */
  setMessageConfig(identity: string, update: SignatureUpdate): Promise<{ warnings: string[] }>;
}
