// JWT access and refresh tokens: HS256 pinned, issuer/audience/typ/exp/iat checked, every token
// recorded so it can be revoked, refresh tokens rotated with reuse detection per login family.
import crypto from 'node:crypto';
import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import type { ApiMetrics, ValidationResult } from './metrics.js';
import { nowSeconds, type Role, type Store } from './store.js';

const ALG = 'HS256';
/** Distinct `typ` headers are what keep a refresh token from passing as an access token and back. */
const TYP = { access: 'at+jwt', refresh: 'rt+jwt' } as const;
type Kind = keyof typeof TYP;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
}

export interface Principal {
  userId: number;
  username: string;
  role: Role;
  jti: string;
  familyId: string;
}

export class TokenError extends Error {
  constructor(readonly reason: 'invalid' | 'expired' | 'revoked' | 'reused', message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

export interface TokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
}

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    private readonly settings: TokenSettings,
    private readonly store: Store,
    private readonly metrics: ApiMetrics | undefined,
  ) {
    this.key = Buffer.from(settings.secret, 'base64');
  }

  /** A new login family: one access and one refresh token. */
  async issuePair(user: { id: number; role: Role }, familyId: string = crypto.randomUUID()): Promise<TokenPair> {
    const [access, refresh] = await Promise.all([this.sign('access', user, familyId), this.sign('refresh', user, familyId)]);
    for (const t of [access, refresh]) this.store.recordToken(t.jti, t.kind, familyId, user.id, t.expiresAt);
    this.counted(user.role);
    return this.pair(access.token, refresh.token);
  }

  async verifyAccess(token: string): Promise<Principal> {
    const started = process.hrtime.bigint();
    let result: ValidationResult = 'invalid';
    try {
      const principal = await this.verify(token, 'access');
      const row = this.store.token(principal.jti, 'access');
      if (!row || row.revoked_at !== null) {
        result = 'revoked';
        throw new TokenError('revoked', 'token has been revoked');
      }
      result = 'valid';
      return principal;
    } catch (err) {
      if (err instanceof TokenError) result = err.reason === 'expired' ? 'expired' : err.reason === 'revoked' ? 'revoked' : 'invalid';
      throw err;
    } finally {
      this.metrics?.tokenValidation.labels(result).observe(Number(process.hrtime.bigint() - started) / 1e9);
    }
  }

  /**
   * Spends a refresh token and returns a new pair in the same family. Presenting a token that was
   * already spent means it leaked: the whole family (every access and refresh token) is revoked.
   */
  async rotate(refreshToken: string): Promise<TokenPair> {
    const principal = await this.verify(refreshToken, 'refresh');
    const row = this.store.token(principal.jti, 'refresh');
    if (!row) throw new TokenError('invalid', 'unknown refresh token');
    if (row.revoked_at !== null) throw new TokenError('revoked', 'refresh token has been revoked');
    const user = { id: principal.userId, role: principal.role };
    // Signed first, then spent and recorded in one transaction: two concurrent refreshes with one
    // token cannot both win, and the loser's revocation cannot be outrun by the winner's insert.
    const [access, refresh] = row.spent_at === null
      ? await Promise.all([this.sign('access', user, row.family_id), this.sign('refresh', user, row.family_id)])
      : [];
    if (!access || !refresh || !this.store.rotateRefresh(principal.jti, row.family_id, [access, refresh].map((t) => ({ jti: t.jti, kind: t.kind, expiresAt: t.expiresAt, userId: user.id })))) {
      this.store.revokeFamily(row.family_id);
      throw new TokenError('reused', 'refresh token was already used; every token of this login has been revoked');
    }
    this.counted(user.role);
    return this.pair(access.token, refresh.token);
  }

  revoke(principal: Principal): void {
    this.store.revokeFamily(principal.familyId);
  }

  private pair(access: string, refresh: string): TokenPair {
    return { access_token: access, refresh_token: refresh, token_type: 'bearer', expires_in: this.settings.accessTtlSeconds };
  }

  private counted(role: Role): void {
    this.metrics?.tokensCreated.labels('access', role).inc();
    this.metrics?.tokensCreated.labels('refresh', role).inc();
  }

  /** A signed token and what to record of it (recorded by the caller, with the others of its step). */
  private async sign(kind: Kind, user: { id: number; role: Role }, familyId: string): Promise<{ token: string; jti: string; kind: Kind; expiresAt: number }> {
    const jti = crypto.randomUUID();
    const iat = nowSeconds();
    const exp = iat + (kind === 'access' ? this.settings.accessTtlSeconds : this.settings.refreshTtlSeconds);
    const token = await new SignJWT({ role: user.role, fam: familyId })
      .setProtectedHeader({ alg: ALG, typ: TYP[kind] })
      .setSubject(String(user.id))
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setJti(jti)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.key);
    return { token, jti, kind, expiresAt: exp };
  }

  private async verify(token: string, kind: Kind): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALG],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ: TYP[kind],
        requiredClaims: ['exp', 'iat', 'jti', 'sub'],
        // A token issued in the future is forged or from a skewed clock; refuse it.
        maxTokenAge: kind === 'access' ? this.settings.accessTtlSeconds + 5 : this.settings.refreshTtlSeconds + 5,
      });
      const userId = Number(payload.sub);
      const user = Number.isInteger(userId) ? this.store.userById(userId) : undefined;
      if (!user || typeof payload.fam !== 'string' || typeof payload.jti !== 'string') {
        throw new TokenError('invalid', 'token does not name a known user');
      }
      if ((payload.iat ?? 0) > nowSeconds() + 5) throw new TokenError('invalid', 'token issued in the future');
      return { userId: user.id, username: user.username, role: user.role, jti: payload.jti, familyId: payload.fam };
    } catch (err) {
      if (err instanceof TokenError) throw err;
      if (err instanceof joseErrors.JWTExpired) throw new TokenError('expired', 'token has expired');
      throw new TokenError('invalid', `invalid ${kind} token`);
    }
  }
}
