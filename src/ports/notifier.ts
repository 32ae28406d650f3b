export type NotificationType = 'drift-detected' | 'run-failed' | 'guardrail-tripped';

/** Something monitoring should hear about. Texts are written by the controller and hold no secrets. */
export interface NotificationEvent {
  type: NotificationType;
  tenantId: string;
  /** One line, e.g. "3 profile updates, 1 photo pending". */
  summary: string;
  message: string;
  runId?: string;
  /** ISO-8601. */
  at: string;
}

/** Where notifications go (a webhook). */
export interface Notifier {
  /** Resolves true when the event was accepted; never rejects. */
  notify(event: NotificationEvent): Promise<boolean>;
}
