import { randomUUID } from 'node:crypto';
import { SignJWT, errors, exportJWK, generateKeyPair, jwtVerify, type JWK } from 'jose';
import { deterministicGuid } from './seed.js';
import type { SimApp, SimState } from './types.js';

/** The two resources the simulator issues tokens for, as `aud` of the token. */
export type SimAudience = 'https://graph.microsoft.com' | 'https://outlook.office365.com';

export const GRAPH_AUDIENCE: SimAudience = 'https://graph.microsoft.com';
export const EXCHANGE_AUDIENCE: SimAudience = 'https://outlook.office365.com';

type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** Result of checking a bearer token: the app it was issued to, or why it is refused. */
export type TokenCheck =
  | { ok: true; app: SimApp; roles: string[] }
  | { ok: false; reason: 'empty' | 'expired' | 'audience' | 'invalid' };

/**
 * Signed JWT access tokens shaped like Entra ID's v1 app-only tokens (`aud`, `iss`
 * `https://sts.windows.net/{tid}/`, `appid`, `roles`, `tid`, `idtyp: app`), signed with a key made
 * at startup and published at `jwks_uri`. Validity is judged on the simulator's clock.
 */
export class AccessTokens {
  private constructor(
    private readonly privateKey: KeyPair['privateKey'],
    private readonly publicKey: KeyPair['publicKey'],
    private readonly kid: string,
    private readonly jwk: JWK,
  ) {}

  static async create(): Promise<AccessTokens> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, use: 'sig', alg: 'RS256' };
    return new AccessTokens(privateKey, publicKey, kid, jwk);
  }

  /** The JSON Web Key Set served at `jwks_uri`. */
  jwks(): { keys: JWK[] } {
    return { keys: [this.jwk] };
  }

  /** The roles a token for `audience` carries: granted Graph permissions, or Exchange.ManageAsApp. */
  static rolesFor(app: SimApp, audience: SimAudience): string[] {
    if (audience === GRAPH_AUDIENCE) return [...app.graphPermissions];
    return app.exchangeManageAsApp ? ['Exchange.ManageAsApp'] : [];
  }

  async issue(state: SimState, app: SimApp, audience: SimAudience, nowMs: number, viaCertificate: boolean) {
    const now = Math.floor(nowMs / 1000);
    const roles = AccessTokens.rolesFor(app, audience);
    const token = await new SignJWT({
      appid: app.clientId,
      appidacr: viaCertificate ? '2' : '1',
      idtyp: 'app',
      oid: deterministicGuid('service-principal', state.tenantId, app.clientId),
      tid: state.tenantId,
      ver: '1.0',
      ...(roles.length > 0 && { roles }),
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: this.kid })
      .setIssuer(`https://sts.windows.net/${state.tenantId}/`)
      .setAudience(audience)
      .setSubject(deterministicGuid('service-principal', state.tenantId, app.clientId))
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + state.tokenLifetimeSeconds)
      .setJti(randomUUID())
      .sign(this.privateKey);
    return { token, expiresIn: state.tokenLifetimeSeconds };
  }

  /** Checks an `Authorization` header value for `audience` at `nowMs`. */
  async check(
    state: SimState,
    authorization: string | undefined,
    audience: SimAudience,
    nowMs: number,
  ): Promise<TokenCheck> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, reason: 'empty' } satisfies TokenCheck;
    try {
      const { payload } = await jwtVerify(match[1], this.publicKey, {
        algorithms: ['RS256'],
        issuer: `https://sts.windows.net/${state.tenantId}/`,
        currentDate: new Date(nowMs),
      });
      if (payload.aud !== audience) return { ok: false, reason: 'audience' } satisfies TokenCheck;
      const app = state.apps.find((a) => a.clientId === payload.appid);
      if (!app) return { ok: false, reason: 'invalid' } satisfies TokenCheck;
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r) => typeof r === 'string') : [];
      return { ok: true, app, roles } satisfies TokenCheck;
    } catch (error) {
      const expired =
        error instanceof errors.JWTExpired ||
        (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf');
      return { ok: false, reason: expired ? 'expired' : 'invalid' } satisfies TokenCheck;
    }
  }
}
