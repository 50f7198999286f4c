import type { AuthResult } from './types.js'

/**
 * The session as kept in memory and (encrypted) in storage. Internal: the app sees a
 * {@link SessionSnapshot}, never this.
 */
export interface Session<User = unknown> {
  /** `null` in cookie mode when the server sends no access token. */
  accessToken: string | null
  refreshToken: string | null
  /** Access-token expiry on the client clock, or `null` when unknown (opaque tokens). */
  expiresAt: number | null
  /** When the current access token was received (client clock). */
  issuedAt: number
  user: User | null
  /** Login time: `absoluteTimeout` counts from here, across reloads and refreshes. */
  startedAt: number
  /** Last user activity seen in any tab. */
  lastActivity: number
  /** Bumped on every change of tokens or user, so tabs can tell new from old. */
  rev: number
  /**
   * Which sign-in this is: the revision it began with. An end ends the sign-in, whatever later
   * revisions (refreshes, user updates) it has had. Absent in sessions stored before it existed.
   */
  sid?: number
  /**
   * How many refreshes this sign-in's tokens have had: orders two copies of one sign-in's tokens
   * where receipt times cannot (a refresh answered in the sign-in's millisecond). Absent: 0.
   */
  gen?: number
  /** When a tab last claimed the restore-time `verify` call (one per browser). */
  verifiedAt?: number
  /**
   * Our clock minus the server's, measured from the fresh token of the sign-in. Refreshed JWTs
   * without `expires_in` are timed by `exp` plus this: some servers (SimpleJWT 5.2) put an old
   * `iat` into refreshed tokens, so their `exp - iat` overstates the lifetime.
   */
  skew?: number
}

/**
 * The revision for a session replacing `previous`: time-based and increasing, so revisions written
 * by different tabs do not collide (a per-tab counter would: two tabs each bumping 7 to 8).
 */
export function nextRev(previous: { rev: number } | null, now: number): number {
  return Math.max(now, (previous?.rev ?? 0) + 1)
}

/** Which sign-in `s` belongs to (see {@link Session.sid}). */
export const sidOf = (s: { sid?: number; startedAt: number }): number => s.sid ?? s.startedAt

/**
 * Orders sign-ins: positive when `a` began after `b`, 0 for the same sign-in. By the clock first
 * (revisions, and so sign-in ids, can run ahead of it after a burst of writes or a tamper floor),
 * then by id within one millisecond.
 */
export const laterSignIn = (a: Session<unknown>, b: Session<unknown>): number =>
  a.startedAt - b.startedAt || sidOf(a) - sidOf(b)

/**
 * Orders two copies of one sign-in's tokens: positive when `a`'s came later (more refreshes, then
 * received later).
 */
export const laterCopy = (a: Session<unknown>, b: Session<unknown>): number =>
  (a.gen ?? 0) - (b.gen ?? 0) || a.issuedAt - b.issuedAt

/** True when `a` holds tokens of `b`'s sign-in that came before `b`'s: a stale copy of it. */
export const olderCopy = (a: Session<unknown>, b: Session<unknown>): boolean =>
  laterSignIn(a, b) === 0 && otherCredentials(a, b) && laterCopy(a, b) < 0

/** True when `b` carries other credentials than `a` (a refresh or a new sign-in happened). */
export function otherCredentials(a: Session<unknown>, b: Session<unknown>): boolean {
  return a.accessToken !== b.accessToken || a.refreshToken !== b.refreshToken
}

/** `value` as a plain object, or `null` for anything else (text, arrays, nothing). */
export function plainObject(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null
}

/** Decodes a JWT's payload (unpadded base64url, UTF-8). Anything else is opaque: `null`. */
export function decodeJwt(token: string): Record<string, unknown> | null {
  const parts = token.split('.')
  if (parts.length !== 3 || !parts[1]) return null
  try {
    // atob decodes "forgiving base64": the padding JWTs leave out is not needed.
    const binary = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'))
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    const payload: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
    return plainObject(payload)
  } catch {
    return null
  }
}

/** True for a string with something in it (a usable token). */
export const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0
/** True for a finite number. */
export const finite = (v: unknown): v is number => Number.isFinite(v)

/** True for a finite number or `undefined` (an optional number field). */
export const optionalFinite = (v: unknown): v is number | undefined => v === undefined || finite(v)

/**
 * A token lifetime in seconds, or `null`. Outside 1 s to 10 years (315,360,000 s) a value is
 * garbage, not a lifetime: too long would never refresh, too short would refresh on every request.
 */
function seconds(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  return finite(n) && n >= 1 && n <= 315_360_000 ? n : null
}

/**
 * The default `mapAuthResponse`: reads `access_token`/`accessToken`/`token`,
 * `refresh_token`/`refreshToken`, `expires_in`/`expiresIn` (seconds, number or numeric string)
 * and `user`. Returns `null` when the body holds no access token.
 */
export function defaultMapAuthResponse<User = unknown>(body: unknown): AuthResult<User> | null {
  if (body === null || typeof body !== 'object') return null
  const b = body as Record<string, unknown>
  const accessToken = [b.access_token, b.accessToken, b.token].find(nonEmptyString)
  if (!accessToken) return null
  const refreshToken = [b.refresh_token, b.refreshToken].find(nonEmptyString) ?? null
  const expiresIn = seconds(b.expires_in ?? b.expiresIn)
  const user = b.user === undefined ? undefined : (b.user as User | null)
  return { accessToken, refreshToken, expiresIn, ...(user === undefined ? {} : { user }) }
}

/**
 * Our clock minus the server's, from a token the server issued just now (its `iat`), or
 * `undefined` when the token tells nothing.
 */
export function skewOf(accessToken: string | null, receivedAt: number): number | undefined {
  const iat = accessToken ? decodeJwt(accessToken)?.iat : undefined
  return finite(iat) ? receivedAt - iat * 1000 : undefined
}

/**
 * When the token expires on the client clock. `expires_in` counts from receipt, so a client
 * clock that is hours off changes nothing. Otherwise a JWT's `exp` is moved to our clock by `skew`
 * when it is known (a token the app held for a while is judged with a skew of 0: by its own `exp`,
 * even if that has passed). Without it, `exp - iat` counts from receipt; a bare `exp` is trusted
 * only when it lies in the future (otherwise a fast client clock would refresh in a loop).
 */
export function expiryOf(
  accessToken: string | null,
  expiresIn: number | null | undefined,
  receivedAt: number,
  skew?: number,
): number | null {
  const lifetime = seconds(expiresIn)
  const claims = accessToken ? decodeJwt(accessToken) : null
  const exp = claims?.exp
  if (lifetime !== null && !(skew === 0 && finite(exp))) return receivedAt + lifetime * 1000
  if (!finite(exp)) return null
  if (skew !== undefined) return exp * 1000 + skew
  const iat = claims?.iat
  if (finite(iat) && exp > iat) {
    const lifetime = seconds(exp - iat)
    return lifetime === null ? null : receivedAt + lifetime * 1000
  }
  return seconds((exp * 1000 - receivedAt) / 1000) === null ? null : exp * 1000
}

/** True when `value` has the shape of a {@link Session} (used on decrypted storage). */
export function isSession(value: unknown, needsAccessToken: boolean): value is Session {
  // JSON.parse gives no array the fields below, so arrays fail as before
  const s = plainObject(value)
  if (!s) return false
  const tokenOrNull = (v: unknown) => v === null || nonEmptyString(v)
  return (
    (needsAccessToken ? nonEmptyString(s.accessToken) : tokenOrNull(s.accessToken)) &&
    tokenOrNull(s.refreshToken) &&
    (s.expiresAt === null || finite(s.expiresAt)) &&
    ['issuedAt', 'startedAt', 'lastActivity', 'rev'].every((k) => finite(s[k])) &&
    optionalFinite(s.skew) &&
    optionalFinite(s.sid) &&
    optionalFinite(s.gen) &&
    'user' in s
  )
}
