import type { AuthFailure } from '../core/backend.js'

/**
 * True when the server could not answer and a later try may work: a network error or timeout
 * (no status), 408, 429 or any 5xx. Shared by the adapters' `classify`.
 */
export function isTransient({ status }: AuthFailure): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500
}

/** `prefix` without its trailing slashes, so `${base}/refresh/` never doubles one. */
export const trimSlash = (path: string): string => path.replace(/\/+$/, '')

/** The app's credentials (or registration details) as a request body. */
export const fields = (value: object): Record<string, unknown> => ({ ...value })
