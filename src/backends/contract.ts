import type { AuthCall, AuthFailure, FailureKind, SessionBackend } from '../core/backend.js'
import { defaultEndpoints, type Endpoints } from '../core/options.js'
import { defaultMapAuthResponse, plainObject } from '../core/tokens.js'
import type { AuthResult } from '../core/types.js'
import { fields, isTransient } from './failures.js'

/** Options of {@link contract}. */
export interface ContractOptions<User = unknown> {
  /** Partial override of the endpoint paths (relative to `baseURL`, or absolute). @default {@link defaultEndpoints} */
  endpoints?: Partial<Endpoints>
  /** Reads tokens and user from a sign-in or refresh answer. @default {@link defaultMapAuthResponse} */
  mapAuthResponse?: (body: unknown) => AuthResult<User> | null
}

/**
 * The adapter for session-keeper's own backend contract (the default `backend`): JSON sign-in and
 * registration, a JSON `{ refresh_token }` refresh (`{}` in cookie mode, where the cookie carries
 * it), a bodiless `POST logout` with the bearer, `GET verify` for the user and `GET token-health`.
 *
 * @example
 * ```ts
 * createSessionKeeper({ backend: contract({ endpoints: { login: '/auth/sign-in' } }) })
 * ```
 */
export function contract<User = unknown, Credentials extends object = object>(
  options: ContractOptions<User> = {},
): SessionBackend<User, Credentials> {
  const ep: Endpoints = { ...defaultEndpoints, ...options.endpoints }
  const read = options.mapAuthResponse ?? defaultMapAuthResponse<User>
  return {
    login: (credentials) => ({ url: ep.login, body: fields(credentials) }),
    register: (details) => ({ url: ep.register, body: fields(details) }),
    refresh: (refreshToken) => ({
      url: ep.refresh,
      body: refreshToken === null ? {} : { refresh_token: refreshToken },
    }),
    logout: ({ accessToken }) => ({ url: ep.logout, bearer: accessToken }),
    user: (accessToken) => ({ url: ep.verify, method: 'GET', bearer: accessToken }),
    health: (accessToken) => ({ url: ep.health, method: 'GET', bearer: accessToken }),
    // The contract's sign-in answer carries the user: a missing one is `null`, not "ask the server".
    readTokens(body) {
      const result = read(body)
      return result && { user: null, ...result }
    },
    readUser(body) {
      const b = plainObject(body)
      if (b?.valid === false) return null
      return { user: (b?.user ?? null) as User | null }
    },
    classify: (_call: AuthCall, failure: AuthFailure): FailureKind =>
      isTransient(failure) ? 'transient' : 'refused',
  }
}
