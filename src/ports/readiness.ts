/** One readiness check (`config`, `database`, `tenant`, `leader`, …). */
export interface ReadinessCheck {
  ok: boolean;
  /** Short, secret-free explanation; shown on `GET /readyz`. */
  message?: string;
}

export interface Readiness {
  ready: boolean;
  checks: Record<string, ReadinessCheck>;
}
