import type { AuthCall, AuthFailure, FailureKind, SessionBackend } from '../core/backend.js'
import { finite, nonEmptyString, plainObject } from '../core/tokens.js'
import type { AuthResult } from '../core/types.js'
import { isTransient } from './failures.js'

/** Options of {@link oauth2}. */
export interface OAuth2Options {
  /** The token endpoint (RFC 6749 §3.2), relative to `baseURL` or absolute. */
  tokenPath: string
  /** The public client's `client_id`, sent with every grant and revocation. */
  clientId: string
  /** The `scope` asked for at sign-in. @default none (the server's default scope) */
  scope?: string
  /** The revocation endpoint (RFC 7009). @default none: sign-out is local only */
  revokePath?: string
  /** A userinfo endpoint (`GET` with the bearer), e.g. OpenID Connect's. @default none */
  userinfoPath?: string
}

/** The sign-in credentials of the password grant. */
export interface PasswordCredentials {
  username: string
  password: string
}

/** RFC 6749 §5.2 error codes that say the request does not fit the server: fix the setup. */
const CONFIG_ERRORS = new Set([
  'invalid_request',
  'unsupported_grant_type',
  'invalid_client',
  'unauthorized_client',
  'invalid_scope',
])

/** A lifetime in seconds, as a number or a numeric string (some servers quote it). */
function seconds(v: unknown): number | null {
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v
  return finite(n) && n >= 1 ? n : null
}

/**
 * The adapter for an OAuth 2.0 token endpoint (RFC 6749): sign-in is the form-encoded password
 * grant, refresh the `refresh_token` grant with `client_id` (a rotated `refresh_token` replaces
 * the kept one), sign-out revokes the refresh token at `revokePath` (RFC 7009), and the user comes
 * from `GET userinfoPath`. An `invalid_grant` answer is a refusal (wrong password, dead refresh
 * token); `invalid_request`, `unsupported_grant_type`, `invalid_client`, `unauthorized_client` and
 * `invalid_scope` are configuration errors; 5xx, 429, 408 and network errors are transient.
 * Servers without the password grant: sign in with a redirect flow elsewhere and hand the tokens
 * to `setSession`.
 *
 * @example
 * ```ts
 * oauth2({ tokenPath: 'https://id.example.com/oauth/token', clientId: 'spa', revokePath: 'https://id.example.com/oauth/revoke' })
 * ```
 */
export function oauth2<User = unknown, Credentials extends object = PasswordCredentials>(
  options: OAuth2Options,
): SessionBackend<User, Credentials> {
  const { tokenPath, clientId, scope, revokePath, userinfoPath } = options
  const client = { client_id: clientId }
  const backend: SessionBackend<User, Credentials> = {
    login: (credentials) => ({
      url: tokenPath,
      form: true,
      body: { grant_type: 'password', ...credentials, ...client, ...(scope ? { scope } : {}) },
    }),
    refresh: (refreshToken) => ({
      url: tokenPath,
      form: true,
      body: {
        grant_type: 'refresh_token',
        ...(refreshToken === null ? {} : { refresh_token: refreshToken }),
        ...client,
      },
    }),
    readTokens(body): AuthResult<User> | null {
      const b = plainObject(body)
      if (!b || !nonEmptyString(b.access_token)) return null
      const expiresIn = seconds(b.expires_in)
      return {
        accessToken: b.access_token,
        ...(nonEmptyString(b.refresh_token) ? { refreshToken: b.refresh_token } : {}),
        ...(expiresIn === null ? {} : { expiresIn }),
      }
    },
    classify(_call: AuthCall, failure: AuthFailure): FailureKind {
      if (isTransient(failure)) return 'transient'
      const error = plainObject(failure.body)?.error
      // RFC 6749's two "try again" codes; some servers send them with a 400 (Spring Authorization
      // Server answers any failure of its own as 400 server_error).
      if (error === 'temporarily_unavailable' || error === 'server_error') return 'transient'
      if (typeof error === 'string' && CONFIG_ERRORS.has(error)) return 'config'
      return 'refused' // invalid_grant, and any other refusal
    },
  }
  if (revokePath)
    backend.logout = ({ accessToken, refreshToken }) => {
      // Revoking the refresh token ends the grant (RFC 7009 §2.1); with none, the access token.
      const [token, hint] = refreshToken
        ? [refreshToken, 'refresh_token']
        : [accessToken, 'access_token']
      return token
        ? { url: revokePath, form: true, body: { token, token_type_hint: hint, ...client } }
        : null
    }
  if (userinfoPath) {
    backend.user = (accessToken) => ({ url: userinfoPath, method: 'GET', bearer: accessToken })
    backend.readUser = (body) => ({ user: (body ?? null) as User | null })
  }
  return backend
}
