/** First retry delay after a transient refresh failure. */
export const BACKOFF_BASE_MS = 1_000
/** Longest delay between automatic refresh attempts. */
export const BACKOFF_CAP_MS = 60_000

/**
 * Delay before attempt `failures + 1`: 1 s doubling to 60 s, each jittered within its upper half
 * so tabs and clients that failed together do not retry together, yet never retry too early.
 */
export function backoffDelay(failures: number, random: () => number): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, failures - 1))
  return Math.round(ceiling / 2 + random() * (ceiling / 2))
}

/**
 * How long before expiry to refresh: `min(refreshMargin, lifetime / 2)`, so a short-lived token
 * is not refreshed on every request.
 */
export function marginFor(issuedAt: number, expiresAt: number, refreshMargin: number): number {
  return Math.min(refreshMargin, Math.max(0, expiresAt - issuedAt) / 2)
}
