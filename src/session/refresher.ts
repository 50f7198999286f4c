import type { SessionBackend } from '../core/backend.js'
import type { Clock } from '../core/clock.js'
import { SessionError, callFailed, sessionEnded } from '../core/errors.js'
import { expiryOf, nextRev, otherCredentials, sidOf, type Session } from '../core/tokens.js'
import type { EndReason } from '../core/types.js'
import type { RefreshLock } from '../sync/lock.js'
import type { AuthCalls } from './calls.js'
import type { Machine } from './machine.js'
import { createRefreshSchedule } from './schedule.js'

/** How long a tab that waited for the lock looks for the winner's result before refreshing. */
const SETTLE_MS = 250
/**
 * How long the tab that refreshed keeps the lock after its storage write: a tab asking in that
 * moment waits, then finds the write (browsers propagate localStorage between tabs late), instead
 * of taking the lock at once and sending the refresh token just spent. Its own callers do not wait.
 */
const HOLD_MS = 100

/** What the refresher uses. */
export interface RefresherDeps<User> {
  clock: Clock
  random(): number
  cookieMode: boolean
  refreshMargin: number
  machine: Pick<
    Machine<User>,
    'session' | 'disposed' | 'dispatch' | 'keepLate' | 'emitter' | 'post'
  >
  /** Re-reads the slot for another tab's session; true when this tab adopted one. */
  sync(): boolean
  lock(): RefreshLock
  calls: AuthCalls
  backend: Pick<SessionBackend<User, never>, 'refresh'>
  /** After a refused refresh: did the server's signing key change under this token? */
  keyChanged(token: string | null): Promise<boolean>
  /** The backoff moved: look at the deadlines again. */
  reschedule(): void
}

/** The tab's refresh: one at a time, with backoff. See {@link createRefresher}. */
export type Refresher<User> = ReturnType<typeof createRefresher<User>>

/**
 * Single-flight refresh with failure classification and backoff. One promise per tab; the lock
 * makes it one call per browser, and the re-read under the lock adopts another tab's result.
 */
export function createRefresher<User>(d: RefresherDeps<User>) {
  const { clock, machine: m } = d
  let inflight: Promise<Session<User>> | null = null
  const schedule = createRefreshSchedule(clock, d.random, d.refreshMargin, d.cookieMode)
  const { reset } = schedule

  /** Waits a moment for another tab's result to reach this one, then re-reads storage. */
  const awaitOtherTab = async () => {
    await new Promise<void>((resolve) => clock.schedule(resolve, SETTLE_MS))
    d.sync()
  }

  /** The current session if it holds other credentials than `than` (someone else refreshed). */
  const replacedSince = (than: Session<User>) => {
    const now = m.session
    return now && otherCredentials(now, than) ? now : null
  }

  const succeeded = (session: Session<User>) => (reset(), session)

  async function rejected(
    reason: EndReason,
    current: Session<User>,
    config: boolean,
  ): Promise<never> {
    const error = config
      ? new SessionError(
          'config',
          'The server refused the refresh request itself (check the backend settings).',
        )
      : new SessionError('session_expired', 'The server refused to refresh the session.')
    // After a deploy that rotated the signing key, an API call often meets it before the next
    // health poll does: tell the user the real reason rather than a generic refusal.
    if (reason === 'refresh-rejected' && (await d.keyChanged(current.accessToken)))
      reason = 'incompatible'
    if (m.session && !replacedSince(current)) {
      reset()
      m.emitter.emit({ type: 'refreshFailed', error, retryInMs: null })
      m.dispatch({ type: 'ended', reason, by: 'here' })
    }
    throw error
  }

  function transient(cause: unknown): never {
    const { delay, retryAt } = schedule.failed()
    const error = cause
      ? callFailed('refresh_unavailable', 'Refresh', cause)
      : new SessionError('refresh_unavailable', 'The refresh response held no access token.')
    m.emitter.emit({ type: 'refreshFailed', error, retryInMs: delay })
    m.post({ kind: 'backoff', until: retryAt })
    d.reschedule()
    throw error
  }

  /** Runs one attempt under the lock; resolves as soon as it has an outcome. */
  function run(onReject: EndReason): Promise<Session<User>> {
    const started = m.session
    if (!started) return Promise.reject(sessionEnded())
    // Nothing to refresh with (a sign-in without a refresh token): the server would refuse it.
    if (!d.cookieMode && !started.refreshToken)
      return Promise.reject(
        new SessionError('refresh_unavailable', 'The session has no refresh token.'),
      )
    return new Promise((resolve, reject) => {
      d.lock()
        .run(async (contended) => {
          const outcome = attempt(started, onReject, contended)
          outcome.then(resolve, reject)
          const wrote = await outcome.then(
            () => committed,
            () => false,
          )
          if (wrote) await new Promise<void>((done) => clock.schedule(done, HOLD_MS))
        })
        .catch(reject)
    })
  }

  /** True after an attempt that refreshed and wrote (not one that adopted another tab's result). */
  let committed = false

  async function attempt(
    started: Session<User>,
    onReject: EndReason,
    contended: boolean,
  ): Promise<Session<User>> {
    committed = false
    // Another tab may have refreshed while we waited: its session (read from storage, or
    // already adopted from its message) is newer than the one we set out to refresh.
    d.sync()
    // Browsers hand a released lock on before the winner's storage write reaches this tab
    // (Chromium propagates localStorage between renderers asynchronously): when we had to
    // wait, give that write, or the winner's message, a moment to arrive.
    if (contended && !replacedSince(started)) await awaitOtherTab()
    const current = m.session
    if (!current) throw sessionEnded()
    if (replacedSince(started)) return succeeded(current)
    // Destroyed while it waited for the lock (a page closed, a provider unmounted): the refresh
    // token it holds may be the one another tab just spent, and sending it would get the whole
    // family revoked by a server that detects reuse.
    if (m.disposed) throw new SessionError('refresh_unavailable', 'The keeper was destroyed.')
    if (schedule.othersBackingOff(clock.now()))
      throw new SessionError('refresh_unavailable', 'Another tab is backing off; will retry.')
    let body: unknown
    try {
      body = await d.calls.send(d.backend.refresh(d.cookieMode ? null : current.refreshToken))
    } catch (error) {
      const kind = d.calls.kind('refresh', error)
      if (kind === 'transient') return transient(error)
      // A refused refresh token may only mean another tab rotated it and its write has not
      // reached us yet: look once more before ending the session. Never a wrong logout.
      await awaitOtherTab()
      const after = replacedSince(current)
      return after ? succeeded(after) : rejected(onReject, current, kind === 'config')
    }
    const result = d.calls.readTokens<User>(body)
    if (!result && !d.cookieMode) return transient(null)
    // A logout, or other credentials (a new sign-in, another tab's refresh), that arrived while
    // we waited win over this result; a mere update of the user does not.
    const latest = m.session
    if (!latest) throw sessionEnded()
    if (otherCredentials(latest, current)) return succeeded(latest)
    const receivedAt = clock.now()
    const accessToken = result?.accessToken ?? null
    // Stored (rotated refresh token included) before the lock is released or anyone uses it. In
    // cookie mode the revision names the sign-in: each tab refreshes its own access token.
    const session: Session<User> = {
      ...latest,
      accessToken,
      refreshToken: result?.refreshToken ?? latest.refreshToken,
      expiresAt: expiryOf(accessToken, result?.expiresIn, receivedAt, latest.skew),
      issuedAt: receivedAt,
      user: result?.user ?? latest.user,
      rev: d.cookieMode ? latest.rev : nextRev(latest, receivedAt),
      sid: sidOf(latest),
      gen: (latest.gen ?? 0) + 1,
    }
    // Destroyed meanwhile on a page still open: the token sent is spent, so the new ones are kept.
    if (m.disposed) m.keepLate(session)
    else m.dispatch({ type: 'committed', cause: 'refresh', keepRev: d.cookieMode, session })
    committed = true
    return succeeded(m.disposed ? session : m.session!)
  }

  return {
    get inFlight(): boolean {
      return inflight !== null
    },
    backingOff: schedule.backingOff,
    nearExpiry: schedule.nearExpiry,
    dueAt: schedule.dueAt,
    deferUntil: schedule.deferUntil,
    retryNow: schedule.retryNow,
    reset,

    /**
     * Refreshes once however many callers ask. Resolves with the new session; rejects with
     * `session_expired` when the server refused (the session has ended) or `refresh_unavailable`.
     */
    refresh(onReject: EndReason = 'refresh-rejected'): Promise<Session<User>> {
      return (inflight ??= run(onReject).finally(() => {
        inflight = null
      }))
    },
  }
}
