/**
 * Why a {@link SessionError} was raised.
 *
 * - `invalid_credentials`: login or register was refused (401/400).
 * - `session_expired`: a request could not be authorised and the session ended.
 * - `refresh_unavailable`: a refresh failed transiently; the session is kept and retried.
 * - `unavailable`: login, register or a health check met a network error, timeout or 5xx.
 * - `storage`: the session could not be read from or written to storage.
 * - `config`: `createSessionKeeper` was given options it cannot work with.
 */
export type SessionErrorCode =
  | 'invalid_credentials'
  | 'session_expired'
  | 'refresh_unavailable'
  | 'unavailable'
  | 'storage'
  | 'config'

/**
 * The only error type session-keeper rejects or throws with. It never carries a token, a request
 * config or a response body: `status` is the HTTP status when one was involved.
 */
export class SessionError extends Error {
  // `declare`: set in the constructor (in this order: code, status, name), not as class fields
  /** Machine-readable reason; switch on this, not on `message`. */
  declare readonly code: SessionErrorCode
  /** HTTP status of the response that caused the error, when there was one. */
  declare readonly status: number | undefined

  constructor(code: SessionErrorCode, message: string, options?: { status?: number }) {
    super(message)
    this.code = code
    this.status = options?.status
    this.name = 'SessionError'
  }
}

/** True when `value` is a {@link SessionError}, optionally with the given code. */
export function isSessionError(value: unknown, code?: SessionErrorCode): value is SessionError {
  return value instanceof SessionError && (code === undefined || value.code === code)
}

/** The HTTP status of a failed axios call, when it got a response. */
export const statusOf = (error: unknown): number | undefined =>
  (error as { response?: { status?: number } } | null)?.response?.status

/**
 * True when the server answered with a refusal (a 4xx other than 408 and 429); false when it could
 * not answer: network error, timeout, 408, 429 or 5xx.
 */
export function refused(error: unknown): boolean {
  const status = statusOf(error)
  return !!status && status >= 400 && status < 500 && status !== 408 && status !== 429
}

/** A failure that is not a refusal: "`what` failed (HTTP 503)." or "(network error or timeout)". */
export function callFailed(code: SessionErrorCode, what: string, error: unknown): SessionError {
  const status = statusOf(error)
  return new SessionError(
    code,
    `${what} failed (${status ? `HTTP ${status}` : 'network error or timeout'}).`,
    { status },
  )
}

/** Thrown to a request, or a refresh, that needed the session after it ended. */
export const sessionEnded = () =>
  new SessionError('session_expired', 'The session has ended; sign in again.')
