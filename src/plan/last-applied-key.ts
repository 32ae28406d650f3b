import type { LastAppliedRecord } from '../observe/model.js';

/** The key of the state store's last-applied map: one record per user and aspect. */
export function lastAppliedKey(userId: string, aspect: LastAppliedRecord['aspect']): string {
  return `${userId}/${aspect}`;
}
