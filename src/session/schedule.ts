import { backoffDelay, marginFor } from '../core/backoff.js'
import type { Clock } from '../core/clock.js'
import type { Session } from '../core/tokens.js'

/**
 * When a tab's refresh is due: `refreshMargin` before expiry, or, after transient failures, when
 * its backoff (or another tab's, which the browser waits out as one) allows.
 */
export function createRefreshSchedule(
  clock: Clock,
  random: () => number,
  refreshMargin: number,
  cookieMode: boolean,
) {
  let failures = 0
  /** No automatic attempt before this moment (backoff after a failure here). */
  let retryAt = 0
  /** Another tab's failure: the browser backs off as one, instead of each tab in turn. */
  let sharedUntil = 0

  /**
   * `refreshMargin` (at most half the lifetime) before `s`'s token expires; `null` for no expiry,
   * and for a token-mode session with no refresh token: nothing to refresh with, so its token is
   * used until it expires (the gate then ends it as `expired`), never a tokenless refresh.
   */
  const refreshAt = ({ expiresAt, issuedAt, refreshToken }: Session<unknown>): number | null =>
    expiresAt === null || !(cookieMode || refreshToken)
      ? null
      : expiresAt - marginFor(issuedAt, expiresAt, refreshMargin)

  /** The network came back or the tab came into view: retry at once. */
  function retryNow(): void {
    retryAt = sharedUntil = 0
  }

  return {
    /** A transient failure here: backs off, and returns when the next attempt may go. */
    failed(): { delay: number; retryAt: number } {
      const delay = backoffDelay(++failures, random)
      retryAt = clock.now() + delay
      return { delay, retryAt }
    },

    /** True while another tab is backing off. */
    othersBackingOff: (now: number): boolean => now < sharedUntil,

    /** True while this tab, or another, is backing off after a transient failure. */
    backingOff: (now: number): boolean => now < Math.max(failures ? retryAt : 0, sharedUntil),

    /** Whether `s`'s token is close enough to expiry that a request should wait for a refresh. */
    nearExpiry: (s: Session<unknown>, now: number): boolean => {
      const at = refreshAt(s)
      return at !== null && now >= at
    },

    /** When the next automatic refresh is due for `session`, or `null` for never (opaque token). */
    dueAt(s: Session<unknown>): number | null {
      const own = failures ? retryAt : refreshAt(s)
      return own === null ? null : Math.max(own, sharedUntil)
    },

    /** Another tab failed transiently and retries at `until`: wait for that too. */
    deferUntil(until: number): void {
      sharedUntil = Math.max(sharedUntil, until)
    },

    retryNow,

    /** Forget backoff (a new session). */
    reset(): void {
      failures = 0
      retryNow()
    },
  }
}
