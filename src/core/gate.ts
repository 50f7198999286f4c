import { sessionEnded } from '../http/interceptors.js'
import { marginFor } from '../refresh/backoff.js'
import type { Refresher } from '../refresh/refresher.js'
import type { Core } from './context.js'
import { SessionError, isSessionError } from './errors.js'
import type { SessionDeadlines } from './instance.js'
import type { Session } from './tokens.js'
import type { EndReason } from './types.js'

/** The hard deadlines of a session: absolute and idle logout (`null` where off). */
export function hardDeadlines(
  s: Session<unknown>,
  o: { idleTimeout: number | false; absoluteTimeout: number | false },
) {
  return {
    idleLogoutAt: o.idleTimeout !== false ? s.lastActivity + o.idleTimeout : null,
    absoluteLogoutAt: o.absoluteTimeout !== false ? s.startedAt + o.absoluteTimeout : null,
  }
}

/** Which hard deadline `s` has passed at `now`, if any. */
export function pastDeadline(
  s: Session<unknown>,
  o: { idleTimeout: number | false; absoluteTimeout: number | false },
  now: number,
  cookieMode: boolean,
): EndReason | null {
  const d = hardDeadlines(s, o)
  const past = (at: number | null) => at !== null && now >= at
  return past(d.absoluteLogoutAt)
    ? 'absolute-timeout'
    : past(d.idleLogoutAt)
      ? 'idle'
      : // nothing left to refresh with: the session cannot outlive its access token
        !cookieMode && !s.refreshToken && past(s.expiresAt)
        ? 'expired'
        : null
}

/**
 * When the session may be used: its hard deadlines (absolute, idle, and an access token with
 * nothing left to refresh it), and the request gate the interceptors wait on.
 */
export function createGate<User>(
  { o, state, cookieMode }: Core<User>,
  refresher: Refresher<User>,
  signOut: (session: Session<User>) => unknown,
) {
  const { clock } = o

  /** The session's upcoming deadlines (all `null` without a session). */
  function deadlines(): SessionDeadlines {
    const s = state.session
    const { idleLogoutAt = null, absoluteLogoutAt = null } = s ? hardDeadlines(s, o) : {}
    return {
      refreshAt: s && refresher.dueAt(s),
      idleWarningAt: idleLogoutAt === null ? null : idleLogoutAt - o.idleWarning,
      idleLogoutAt,
      absoluteLogoutAt,
    }
  }

  /** Ends the session if a hard deadline has passed; returns whether it is still alive. */
  function checkDeadlines(now: number): boolean {
    const s = state.session
    if (!s) return false
    const reason = pastDeadline(s, o, now, cookieMode)
    if (reason) {
      state.end(reason)
      // A timeout ends the session on the server too: in cookie mode its refresh cookie would
      // otherwise sign the user back in on the next page load. (An expired token needs nothing.)
      if (reason !== 'expired') signOut(s)
    }
    return reason === null
  }

  /** The request gate: waits until the session's credentials are usable; `null` without a session. */
  async function authorize(): Promise<Session<User> | null> {
    const s = state.session
    if (!s) return null
    if (!checkDeadlines(clock.now())) throw sessionEnded()
    const now = clock.now()
    const nearExpiry =
      s.expiresAt !== null &&
      now >= s.expiresAt - marginFor(s.issuedAt, s.expiresAt, o.refreshMargin)
    if (!refresher.inFlight && !nearExpiry) return s
    const stillValid = (c: Session<User> | null) =>
      c !== null && (c.expiresAt === null || clock.now() < c.expiresAt)
    // Backing off after a transient failure: use the token while it lasts rather than hammer.
    if (!refresher.inFlight && refresher.backingOff(now)) {
      if (stillValid(s)) return s
      throw new SessionError(
        'refresh_unavailable',
        'The session could not be refreshed yet; try again shortly.',
      )
    }
    try {
      return await refresher.refresh()
    } catch (error) {
      if (isSessionError(error, 'refresh_unavailable') && stillValid(state.session))
        return state.session
      throw error
    }
  }

  return { checkDeadlines, authorize, deadlines }
}
