import type { SessionBackend } from '../core/backend.js'
import { backoffDelay } from '../core/backoff.js'
import type { Clock } from '../core/clock.js'
import { statusOf } from '../core/errors.js'
import { expiryOf, sidOf } from '../core/tokens.js'
import type { AuthCalls } from './calls.js'
import type { Flows } from './flows.js'
import { pastDeadline, type Timeouts } from './gate.js'
import type { Machine } from './machine.js'

/** What the cookie-mode start-up check uses. */
export interface BootDeps<User> {
  clock: Clock
  random(): number
  timeouts: Timeouts
  machine: Machine<User>
  calls: AuthCalls
  backend: Pick<SessionBackend<User, never>, 'refresh'>
  flows: Pick<Flows<User, object>, 'userFor' | 'notifyServerLogout'>
}

/** The cookie-mode start-up check. See {@link createBoot}. */
export type Boot = ReturnType<typeof createBoot>

/**
 * Cookie mode: nothing token-bearing is stored, so a page asks the server whether its cookie is a
 * session. The session's timeline (since when, last active when) is stored, so a reload neither
 * restarts `absoluteTimeout` nor forgets the last activity.
 */
export function createBoot<User>(d: BootDeps<User>) {
  const { clock, machine: m, calls } = d
  let booting: Promise<void> | null = null
  /** Start-up checks in a row that could not reach the server; 0 once it answers. */
  let failures = 0
  let cancelRetry: (() => void) | null = null
  /** Unmounted: a failed check schedules no retry until the next mount asks again. */
  let paused = false
  /** Bumped by a sign-out: a check begun before it signs nobody in. */
  let epoch = 0

  /** Leaves `loading` with no session, unless one arrived meanwhile; `refused`: forget the timeline. */
  function noSession(refused = false): void {
    if (refused && !m.session) m.shared.store().clear()
    if (!m.session) m.dispatch({ type: 'settled', reason: null })
  }

  async function ask(from: 'boot' | 'boot-other-tab'): Promise<void> {
    const now = clock.now()
    const asked = epoch
    // A page opened after the session's idle or absolute deadline starts signed out with that
    // reason, and tells the server, as the timeout would have.
    const t = m.readSlot()
    const late = t && pastDeadline(t, d.timeouts, now, true)
    if (late) {
      m.shared.store().clear()
      m.dispatch({ type: 'settled', reason: late })
      m.emitter.emit({ type: 'loggedOut', reason: late })
      await d.flows.notifyServerLogout(null, false)
      return
    }
    try {
      // A sign-out the server never heard: say it again before trusting its cookie.
      if (m.shared.logoutPending()) {
        if (!(await d.flows.notifyServerLogout(null, false))) throw new Error('unheard') // retried below
        failures = 0
        return noSession()
      }
      let token: string | null = null
      let expiresIn: number | null | undefined
      let known = await d.flows.userFor(null).catch((error) => {
        if (statusOf(error) !== 401) throw error
        return null
      })
      // No access token yet (or none the server takes): the refresh cookie may still be a session.
      // (Its answer sets the browser's one cookie: under the lock, as every such call.)
      if (!known) {
        const answer = await m.shared.exclusive(() => calls.send(d.backend.refresh(null)))
        const refreshed = calls.readTokens<User>(answer)
        token = refreshed?.accessToken ?? null
        expiresIn = refreshed?.expiresIn
        known = (await d.flows.userFor(token)) ?? { user: refreshed?.user ?? null }
      }
      failures = 0
      // A session that arrived meanwhile (a sign-in here) wins, unless another tab's newer sign-in
      // is why this page asked: then the server's cookie is that sign-in's.
      if ((m.session && from === 'boot') || !known) return noSession(true)
      if (asked !== epoch) return // the user signed out meanwhile (a /logout page opened directly)
      m.dispatch({
        type: 'committed',
        cause: from,
        keepRev: !!t,
        session: {
          accessToken: token,
          refreshToken: null,
          expiresAt: expiryOf(token, expiresIn, now),
          issuedAt: now,
          user: known.user,
          startedAt: t?.startedAt ?? now,
          lastActivity: t?.lastActivity ?? now,
          rev: t?.rev ?? now,
          ...(t ? { sid: sidOf(t) } : {}),
        },
      })
    } catch (error) {
      noSession()
      // The server could not answer (a deploy, a restart, the network): its cookie may well hold a
      // session, so ask again with backoff rather than look signed out until the next reload.
      if ((statusOf(error) && calls.kind('refresh', error) !== 'transient') || m.session)
        failures = 0
      else {
        failures++
        if (!paused) cancelRetry = clock.schedule(retry, backoffDelay(failures, d.random))
      }
    }
  }

  /** Asks the server whether its cookie is a session (`from`: who made this page ask). */
  function start(from: 'boot' | 'boot-other-tab' = 'boot'): Promise<void> {
    cancelRetry?.()
    cancelRetry = null
    paused = false
    booting ??= ask(from).finally(() => {
      booting = null
    })
    return booting
  }

  /** Asks the server again at once if the last start-up check could not reach it. */
  function retry(): void {
    if (m.session) failures = 0
    if (failures) void start()
  }

  return {
    start,
    retry,
    /** A sign-out: the answer of a check in flight signs nobody in, and no retry follows. */
    cancel(): void {
      epoch++
      failures = 0
      cancelRetry?.()
      cancelRetry = null
    },
    /** Cancels the scheduled retry (unmount); {@link retry} resumes it. */
    pause(): void {
      paused = true
      cancelRetry?.()
      cancelRetry = null
    },
    /** Resolves when a check in flight has finished. */
    done: () => booting ?? Promise.resolve(),
  }
}
