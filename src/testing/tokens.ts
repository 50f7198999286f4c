import { checkSignature, readJwt, signJwt, type MockClaims } from './jwt.js'
import type { MockServerState, MockUser } from './server.js'

/** What a verified bearer token says. */
export type TokenCheck =
  | { ok: true; claims: MockClaims; user: MockUser }
  | {
      ok: false
      why: 'missing' | 'malformed' | 'incompatible' | 'expired' | 'revoked' | 'unknown-session'
    }

/** Token issuing and checking over a {@link MockServerState}. Pure logic, no MSW. */
export class MockAuthServer {
  constructor(
    public state: MockServerState,
    private readonly now: () => number,
    private readonly ttl: { access: number; refresh: number; reuseGrace: number },
  ) {}

  private id(prefix: string): string {
    this.state.seq += 1
    return `${prefix}${this.state.seq.toString(36)}${Math.random().toString(36).slice(2, 8)}`
  }

  private sign(user: MockUser, sid: string, typ: 'access' | 'refresh', jti: string): string {
    const now = this.now()
    const ttl = typ === 'access' ? this.ttl.access : this.ttl.refresh
    const ver = this.state.keyVersion
    const claims: MockClaims = {
      sub: user.username,
      sid,
      ver,
      typ,
      jti,
      iat: now / 1000,
      exp: (now + ttl) / 1000,
    }
    if (typ === 'access' && user.name) claims.name = user.name
    return signJwt(claims, this.state.keys[String(ver)]!)
  }

  /** Opens a session: the token response body of login and register. */
  openSession(user: MockUser): {
    access_token: string
    refresh_token: string
    expires_in: number
    sid: string
  } {
    const sid = this.id('s')
    const jti = this.id('r')
    const now = this.now()
    this.state.sessions[sid] = {
      username: user.username,
      jti,
      previous: {},
      expiresAt: now + this.ttl.refresh,
      revoked: false,
    }
    return {
      access_token: this.sign(user, sid, 'access', this.id('a')),
      refresh_token: this.sign(user, sid, 'refresh', jti),
      expires_in: this.ttl.access / 1000,
      sid,
    }
  }

  /** Verifies a token's signature, key version, expiry, type and session. */
  check(token: string | null | undefined, typ: 'access' | 'refresh'): TokenCheck {
    if (!token) return { ok: false, why: 'missing' }
    const jwt = readJwt(token)
    if (!jwt || jwt.claims.typ !== typ) return { ok: false, why: 'malformed' }
    const key = this.state.keys[jwt.kid]
    if (
      !key ||
      !this.state.accepted.includes(Number(jwt.kid)) ||
      !checkSignature(jwt.signed, jwt.sig, key)
    )
      return { ok: false, why: 'incompatible' }
    if (jwt.claims.exp * 1000 <= this.now()) return { ok: false, why: 'expired' }
    const session = this.state.sessions[jwt.claims.sid]
    if (!session) return { ok: false, why: 'unknown-session' }
    if (session.revoked) return { ok: false, why: 'revoked' }
    const user = this.state.users.find((u) => u.username === session.username)
    return user ? { ok: true, claims: jwt.claims, user } : { ok: false, why: 'unknown-session' }
  }

  /**
   * Rotates a refresh token. Reusing a replaced token outside the grace window is treated as
   * theft: the whole session is revoked (as OAuth 2.0 security BCP advises).
   */
  rotate(
    token: string | null | undefined,
  ): { access_token: string; refresh_token: string; expires_in: number } | null {
    const result = this.check(token, 'refresh')
    if (!result.ok) return null
    const session = this.state.sessions[result.claims.sid]!
    const reused = result.claims.jti !== session.jti
    const replacedAt = session.previous[result.claims.jti]
    const inGrace =
      this.ttl.reuseGrace > 0 &&
      replacedAt !== undefined &&
      this.now() - replacedAt <= this.ttl.reuseGrace
    if (reused && !inGrace) {
      session.revoked = true
      return null
    }
    const jti = this.id('r')
    const now = this.now()
    session.previous = Object.fromEntries(
      Object.entries(session.previous).filter(([, at]) => now - at <= this.ttl.reuseGrace),
    )
    session.previous[session.jti] = now
    session.jti = jti
    return {
      access_token: this.sign(result.user, result.claims.sid, 'access', this.id('a')),
      refresh_token: this.sign(result.user, result.claims.sid, 'refresh', jti),
      expires_in: this.ttl.access / 1000,
    }
  }

  health(token: string | null | undefined) {
    const jwt = token ? readJwt(token) : null
    const check = this.check(token, 'access')
    return {
      compatible: check.ok || (check.why !== 'incompatible' && check.why !== 'malformed') || !token,
      authenticated: check.ok,
      token_version: jwt ? Number(jwt.kid) : null,
      server_version: this.state.keyVersion,
    }
  }

  endSession(token: string | null | undefined, typ: 'access' | 'refresh'): void {
    const check = this.check(token, typ)
    if (check.ok) delete this.state.sessions[check.claims.sid]
  }

  rotateSecret(keepOld: boolean): void {
    const next = this.state.keyVersion + 1
    this.state.keyVersion = next
    this.state.keys[String(next)] = `${this.id('k')}-${next}`
    this.state.accepted = keepOld ? [...this.state.accepted, next] : [next]
  }

  revokeAll(): void {
    for (const session of Object.values(this.state.sessions)) session.revoked = true
  }

  restart(keepSessions: boolean): void {
    if (!keepSessions) this.state.sessions = {}
    this.state.failures = {}
  }
}
