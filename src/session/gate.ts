import type { Clock } from '../core/clock.js'
import { SessionError, isSessionError, sessionEnded } from '../core/errors.js'
import type { SessionDeadlines } from '../core/instance.js'
import { sidOf, type Session } from '../core/tokens.js'
import type { EndReason } from '../core/types.js'
import type { Machine } from './machine.js'
import type { Refresher } from './refresher.js'

/** The timeouts a session's hard deadlines come from. */
export type Timeouts = {
  idleTimeout: number | false
  idleWarning: number
  absoluteTimeout: number | false
}

/** Which hard deadline `s` has passed at `now`, if any. */
export function pastDeadline(
  s: Session<unknown>,
  o: Timeouts,
  now: number,
  cookieMode: boolean,
): EndReason | null {
  // (no helper closure: this runs for every request)
  const { absoluteTimeout: absolute, idleTimeout: idle } = o
  return absolute !== false && now >= s.startedAt + absolute
    ? 'absolute-timeout'
    : idle !== false && now >= s.lastActivity + idle
      ? 'idle'
      : // nothing left to refresh with: the session cannot outlive its access token
        !cookieMode && !s.refreshToken && s.expiresAt !== null && now >= s.expiresAt
        ? 'expired'
        : null
}

/** What the gate uses. */
export interface GateDeps<User> {
  clock: Clock
  cookieMode: boolean
  timeouts: Timeouts
  machine: Pick<Machine<User>, 'session' | 'state' | 'dispatch'>
  refresher: Pick<Refresher<User>, 'inFlight' | 'nearExpiry' | 'backingOff' | 'refresh' | 'dueAt'>
  /** A timeout ends the session on the server too. */
  notifyServerLogout(session: Session<User>): unknown
  /** Resolves when a cookie-mode start-up check in flight has finished. */
  booted(): Promise<void>
}

/**
 * When the session may be used: its deadlines, the enforcement of the hard ones (absolute, idle,
 * and an access token with nothing left to refresh it), and the request gate the interceptors wait on.
 */
export function createGate<User>(d: GateDeps<User>) {
  const { clock, timeouts: t, machine: m, refresher } = d

  /** The session's upcoming deadlines (all `null` without a session). */
  function deadlines(): SessionDeadlines {
    const s = m.session
    const idleLogoutAt = s && t.idleTimeout !== false ? s.lastActivity + t.idleTimeout : null
    return {
      refreshAt: s && refresher.dueAt(s),
      idleWarningAt: idleLogoutAt === null ? null : idleLogoutAt - t.idleWarning,
      idleLogoutAt,
      absoluteLogoutAt: s && t.absoluteTimeout !== false ? s.startedAt + t.absoluteTimeout : null,
    }
  }

  /** Ends the session if a hard deadline has passed; returns whether it is still alive. */
  function enforceDeadlines(now: number): boolean {
    const s = m.session
    if (!s) return false
    const reason = pastDeadline(s, t, now, d.cookieMode)
    if (reason) {
      m.dispatch({ type: 'ended', reason, by: 'here' })
      // A timeout ends the session on the server too: in cookie mode its refresh cookie would
      // otherwise sign the user back in on the next page load. (An expired token needs nothing,
      // and a destroyed keeper, whose request went on after its page closed, says nothing.)
      if (reason !== 'expired' && m.session !== s) d.notifyServerLogout(s)
    }
    return reason === null
  }

  /**
   * The request gate: the session's credentials once usable; `null` without a session. Not async:
   * a session that needs no refresh comes back at once, so a request goes on without a promise.
   */
  function authorize(): Session<User> | null | Promise<Session<User> | null> {
    const s = m.session
    // Cookie mode, page loading: a request waits for the start-up check, which may restore one.
    if (!s)
      return d.cookieMode && m.state.status === 'loading'
        ? d.booted().then(() => (m.session ? authorize() : null))
        : null
    const now = clock.now()
    if (!enforceDeadlines(now)) return Promise.reject(sessionEnded())
    return !refresher.inFlight && !refresher.nearExpiry(s, now) ? s : refreshFirst(s, now)
  }

  /** A refresh is due or in flight: waits for it, or, backing off, uses the token while it lasts. */
  async function refreshFirst(s: Session<User>, now: number): Promise<Session<User> | null> {
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
    let next: Session<User> | null
    try {
      next = await refresher.refresh()
    } catch (error) {
      if (!isSessionError(error, 'refresh_unavailable') || !stillValid(m.session)) throw error
      next = m.session
    }
    // The session ended meanwhile, and another sign-in (an account switch) is not this request's.
    if (!next || sidOf(next) !== sidOf(s)) throw sessionEnded()
    return next
  }

  return { deadlines, enforceDeadlines, authorize }
}

/** The session gate. See {@link createGate}. */
export type Gate<User> = ReturnType<typeof createGate<User>>
