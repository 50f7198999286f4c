import type { AuthResult } from './types.js'

/** One call to the auth server, as a {@link SessionBackend} builds it. */
export interface AuthRequest {
  /** Relative to `baseURL`, or absolute (an auth server on another origin). */
  url: string
  /** @default 'POST' */
  method?: 'GET' | 'POST'
  /** The body: sent as JSON, or form-encoded with `form: true`. None for GET. */
  body?: Record<string, unknown>
  /** Send `body` as `application/x-www-form-urlencoded` (OAuth 2.0 token endpoints). @default false */
  form?: boolean
  /** Extra headers. The bearer goes in {@link AuthRequest.bearer}, never here. */
  headers?: Record<string, string>
  /** The token sent as `Authorization: Bearer …`. @default none */
  bearer?: string | null
}

/** The auth calls the keeper makes itself. */
export type AuthCall = 'login' | 'register' | 'refresh' | 'logout' | 'user' | 'health'

/**
 * What a failed auth call means:
 * - `refused`: the server refused the credentials or the refresh token (sign-in fails with
 *   `invalid_credentials`; a refresh ends the session);
 * - `config`: the request itself is wrong for this server (a missing field, a wrong grant type or
 *   client): a configuration error, never reported as a wrong password;
 * - `transient`: try again later (network error, timeout, 408, 429, 5xx).
 */
export type FailureKind = 'refused' | 'config' | 'transient'

/** A failed auth call as an adapter sees it: the status and the parsed body, never the request. */
export interface AuthFailure {
  /** The HTTP status, or `undefined` for a network error or a timeout. */
  status: number | undefined
  /** The response body, if there was one. */
  body: unknown
}

/**
 * How to talk to an auth server: builds each auth request and reads each answer. The session
 * logic (refresh timing, single flight, tabs, deadlines) does not change with it. A member left
 * out means the server has no such call: no `health`, no health polling; no `user`, the restored
 * session is trusted until the first API answer; no `logout`, sign-out is local only; no
 * `register`, `register()` rejects with `config`.
 */
export interface SessionBackend<User = unknown, Credentials = object> {
  /** The sign-in request for the app's credentials. */
  login(credentials: Credentials): AuthRequest
  /** The registration request. */
  register?(details: object): AuthRequest
  /** The refresh request; `refreshToken` is `null` in cookie mode (the cookie carries it). */
  refresh(refreshToken: string | null): AuthRequest
  /** The sign-out (revocation) request, or `null` when there is nothing to tell the server. */
  logout?(tokens: { accessToken: string | null; refreshToken: string | null }): AuthRequest | null
  /** The call that describes the signed-in user (and confirms the token). */
  user?(accessToken: string | null): AuthRequest
  /** The token-health call (session-keeper's contract). */
  health?(accessToken: string | null): AuthRequest
  /** Reads tokens (and the user, if present) from a sign-in or refresh answer; `null` if none. */
  readTokens(body: unknown): AuthResult<User> | null
  /**
   * Reads the `user` call's answer: `{ user }`, or `null` when the server says the token is no
   * session (the contract's `{ valid: false }`). @default the body is the user
   */
  readUser?(body: unknown): { user: User | null } | null
  /**
   * The user an access token names, where the server's user is the token's claims (SimpleJWT with
   * no user endpoint): `setSession` with no user then shows it at once, as a sign-in does.
   */
  userOf?(accessToken: string): User | null
  /** Classifies a failed call. @default 408, 429, 5xx and network errors are `transient`, other 4xx `refused` */
  classify?(call: AuthCall, failure: AuthFailure): FailureKind
}
