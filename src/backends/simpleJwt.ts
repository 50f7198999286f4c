import type { AuthCall, AuthFailure, FailureKind, SessionBackend } from '../core/backend.js'
import { decodeJwt, finite, nonEmptyString, plainObject } from '../core/tokens.js'
import type { AuthResult } from '../core/types.js'
import { fields, isTransient, trimSlash } from './failures.js'

/** Options of {@link simpleJwt}. */
export interface SimpleJwtOptions {
  /** Where the SimpleJWT views are mounted: `{prefix}/`, `{prefix}/refresh/`, `{prefix}/blacklist/`. @default '/api/token' */
  prefix?: string
  /** A view that describes the signed-in user (`GET` with the bearer). @default none: the access token's claims are the user */
  userPath?: string
  /** Sign-out blacklists the refresh token (needs the `token_blacklist` app and its view). @default false */
  blacklist?: boolean
}

/** The claims of a SimpleJWT access token, the user when there is no `userPath`. */
export type SimpleJwtClaims = Record<string, unknown>

/**
 * The access token's lifetime in seconds. SimpleJWT 5.2 copies the *refresh* token's `iat` into a
 * refreshed access token, so its `exp - iat` overstates the lifetime by the refresh token's age
 * (7 s for a 4 s token). A refresh token issued in the same answer (sign-in, or a rotation) carries
 * the server's "now", the instant `exp` counts from: `exp - that iat` is the real lifetime.
 */
function lifetimeOf(access: string, refresh: unknown): number | null {
  const exp = decodeJwt(access)?.exp
  const iat = nonEmptyString(refresh) ? decodeJwt(refresh)?.iat : undefined
  if (!finite(exp) || !finite(iat)) return null
  const lifetime = exp - iat
  return lifetime >= 1 ? lifetime : null
}

/** A Django REST framework validation error: `{ field: ['message', …] }`, naming the fields. */
function namesFields(body: unknown): boolean {
  const b = plainObject(body)
  if (!b) return false
  const keys = Object.keys(b).filter((k) => k !== 'detail' && k !== 'code')
  return keys.length > 0 && keys.every((k) => Array.isArray(b[k]))
}

/**
 * The adapter for Django REST framework SimpleJWT: sign-in posts the credentials as JSON to
 * `{prefix}/` and reads `{ access, refresh }`; refresh posts `{ refresh }` to `{prefix}/refresh/`
 * and follows rotation (a `refresh` in the answer replaces the kept one); sign-out posts
 * `{ refresh }` to `{prefix}/blacklist/` when `blacklist` is set. There is no token-health call.
 * A 401 (`No active account…`, `token_not_valid`) is a refusal; a 400 naming a field is a
 * configuration error (the request does not fit the server's serializer).
 *
 * The lifetime of an access token is read as `exp` minus the `iat` of the refresh token of the
 * same answer (see above); an answer with no new refresh token (rotation off) reuses the lifetime
 * learned at sign-in by this adapter, else leaves it to the access token's own claims.
 *
 * @example
 * ```ts
 * createSessionKeeper({ baseURL: 'https://api.example.com', backend: simpleJwt({ blacklist: true }) })
 * ```
 */
export function simpleJwt<User = SimpleJwtClaims, Credentials extends object = object>(
  options: SimpleJwtOptions = {},
): SessionBackend<User, Credentials> {
  const prefix = trimSlash(options.prefix ?? '/api/token')
  const { userPath, blacklist = false } = options
  /** Learned from the last answer that carried both tokens (SimpleJWT's lifetime is fixed). */
  let learned: number | null = null
  const backend: SessionBackend<User, Credentials> = {
    login: (credentials) => ({ url: `${prefix}/`, body: fields(credentials) }),
    // Cookie mode (no token here): an empty body, for servers that read the refresh cookie
    // (dj-rest-auth's cookie serializer does).
    refresh: (refreshToken) => ({
      url: `${prefix}/refresh/`,
      body: refreshToken === null ? {} : { refresh: refreshToken },
    }),
    logout: ({ refreshToken }) =>
      blacklist && refreshToken
        ? { url: `${prefix}/blacklist/`, body: { refresh: refreshToken } }
        : null,
    readTokens(body): AuthResult<User> | null {
      const b = plainObject(body)
      if (!b || !nonEmptyString(b.access)) return null
      const rotated = nonEmptyString(b.refresh)
      const lifetime = lifetimeOf(b.access, b.refresh)
      if (lifetime !== null) learned = lifetime
      return {
        accessToken: b.access,
        ...(rotated ? { refreshToken: b.refresh as string } : {}),
        ...((lifetime ?? learned) !== null ? { expiresIn: lifetime ?? learned } : {}),
        ...(backend.userOf ? { user: backend.userOf(b.access) } : {}),
      }
    },
    classify(_call: AuthCall, failure: AuthFailure): FailureKind {
      if (isTransient(failure)) return 'transient'
      if (failure.status === 400 && namesFields(failure.body)) return 'config'
      return 'refused'
    },
  }
  if (!userPath) backend.userOf = (accessToken) => decodeJwt(accessToken) as User | null
  else {
    backend.user = (accessToken) => ({ url: userPath, method: 'GET', bearer: accessToken })
    backend.readUser = (body) => ({ user: (body ?? null) as User | null })
  }
  return backend
}
