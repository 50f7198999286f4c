import type { AxiosInstance } from 'axios'
import { SessionError } from '../core/errors.js'
import type { Clock } from '../core/clock.js'
import { expiryOf, nextRev, otherCredentials, type Session } from '../core/tokens.js'
import type { AuthResult, EndReason, SessionEvent } from '../core/types.js'
import { AUTH_CALL } from '../http/scope.js'
import type { RefreshLock } from '../sync/lock.js'
import { backoffDelay, marginFor } from './backoff.js'

/** What the refresher needs from the keeper. */
export interface RefresherHost<User> {
  http: AxiosInstance
  clock: Clock
  random: () => number
  lock: RefreshLock
  url: string
  cookieMode: boolean
  timeoutMs: number
  refreshMargin: number
  map: (body: unknown) => AuthResult<User> | null
  getSession(): Session<User> | null
  /** Re-reads the shared store and adopts a newer session another tab wrote. */
  adoptStored(): unknown
  commit(session: Session<User>): void
  end(reason: EndReason): void
  emit(event: SessionEvent<User>): void
  /** Tells the other tabs not to try before `until` (a transient failure here). */
  shareBackoff(until: number): void
  /** Something changed that may move a deadline. */
  reschedule(): void
}

/** How long a tab that waited for the lock looks for the winner's result before refreshing. */
const SETTLE_MS = 250

/** Failure classes: only a refusal by the server ends a session. */
export function isRejection(error: unknown): boolean {
  const status = (error as { response?: { status?: number } } | null)?.response?.status
  return status === 400 || status === 401 || status === 403
}

/**
 * Single-flight refresh with failure classification and backoff. One promise per tab; the lock
 * makes it one call per browser, and the re-read under the lock adopts another tab's result.
 */
export class Refresher<User> {
  private inflight: Promise<Session<User>> | null = null
  private failures = 0
  /** No automatic attempt before this moment (backoff after a failure here). */
  private retryAt = 0
  /** Another tab's failure: the browser backs off as one, instead of each tab in turn. */
  private sharedUntil = 0

  constructor(private readonly host: RefresherHost<User>) {}

  get inFlight(): boolean {
    return this.inflight !== null
  }

  /** True while this tab, or another, is backing off after a transient failure. */
  backingOff(now: number): boolean {
    return now < Math.max(this.failures > 0 ? this.retryAt : 0, this.sharedUntil)
  }

  /** When the next automatic refresh is due for `session`, or `null` for never (opaque token). */
  dueAt(session: Session<User>): number | null {
    const own =
      this.failures > 0
        ? this.retryAt
        : session.expiresAt === null
          ? null
          : session.expiresAt -
            marginFor(session.issuedAt, session.expiresAt, this.host.refreshMargin)
    return own === null ? null : Math.max(own, this.sharedUntil)
  }

  /** Another tab failed transiently and retries at `until`: wait for that too. */
  deferUntil(until: number): void {
    this.sharedUntil = Math.max(this.sharedUntil, until)
  }

  /** The network came back or the tab came into view: retry at once. */
  retryNow(): void {
    this.retryAt = 0
    this.sharedUntil = 0
  }

  /** Forget backoff (a new session). */
  reset(): void {
    this.failures = 0
    this.retryNow()
  }

  /**
   * Refreshes once however many callers ask. Resolves with the new session; rejects with
   * `session_expired` when the server refused (the session has ended) or `refresh_unavailable`.
   */
  refresh(onReject: EndReason = 'refresh-rejected'): Promise<Session<User>> {
    this.inflight ??= this.run(onReject).finally(() => {
      this.inflight = null
    })
    return this.inflight
  }

  private async run(onReject: EndReason): Promise<Session<User>> {
    const { host } = this
    const started = host.getSession()
    if (!started) throw new SessionError('session_expired', 'There is no session to refresh.')
    return host.lock.run(async (contended) => {
      // Another tab may have refreshed while we waited: its session (read from storage, or
      // already adopted from its message) is newer than the one we set out to refresh.
      host.adoptStored()
      // Browsers hand a released lock on before the winner's storage write reaches this tab
      // (Chromium propagates localStorage between renderers asynchronously): when we had to
      // wait, give that write, or the winner's message, a moment to arrive.
      const replaced = () => {
        const now = host.getSession()
        return now !== null && otherCredentials(now, started)
      }
      if (contended && !replaced()) await this.settle()
      const current = host.getSession()
      if (!current) throw new SessionError('session_expired', 'The session ended during refresh.')
      if (replaced()) return this.succeeded(current, false)
      if (host.clock.now() < this.sharedUntil)
        throw new SessionError(
          'refresh_unavailable',
          'Another tab could not refresh just now; will retry.',
        )
      let body: unknown
      try {
        const response = await host.http.post(
          host.url,
          host.cookieMode ? {} : { refresh_token: current.refreshToken },
          { timeout: host.timeoutMs, [AUTH_CALL]: true },
        )
        body = response.data
      } catch (error) {
        if (!isRejection(error)) return this.transient(error)
        // A refused refresh token may only mean another tab rotated it and its write has not
        // reached us yet: look once more before ending the session. Never a wrong logout.
        await this.settle()
        const after = host.getSession()
        if (after && otherCredentials(after, current)) return this.succeeded(after, false)
        return this.rejected(onReject, current)
      }
      const result = safeMap(host.map, body)
      if (!result && !host.cookieMode) return this.transient(null)
      // A logout, or other credentials (a new sign-in, another tab's refresh), that arrived while
      // we waited win over this result; a mere update of the user does not.
      const latest = host.getSession()
      if (!latest) throw new SessionError('session_expired', 'The session ended during refresh.')
      if (otherCredentials(latest, current)) return this.succeeded(latest, false)
      const receivedAt = host.clock.now()
      const accessToken = result?.accessToken ?? null
      const next: Session<User> = {
        ...latest,
        accessToken,
        refreshToken: result?.refreshToken ?? latest.refreshToken,
        expiresAt: expiryOf(accessToken, result?.expiresIn, receivedAt),
        issuedAt: receivedAt,
        user: result?.user ?? latest.user,
        rev: nextRev(latest, receivedAt),
      }
      // Stored (rotated refresh token included) before the lock is released or anyone uses it.
      host.commit(next)
      return this.succeeded(next, true)
    })
  }

  /** Waits a moment for another tab's result to reach this one, then re-reads storage. */
  private async settle(): Promise<void> {
    await new Promise<void>((resolve) => this.host.clock.schedule(resolve, SETTLE_MS))
    this.host.adoptStored()
  }

  private succeeded(session: Session<User>, emit: boolean): Session<User> {
    this.reset()
    if (emit) this.host.emit({ type: 'refreshed', expiresAt: session.expiresAt })
    this.host.reschedule()
    return session
  }

  private rejected(reason: EndReason, current: Session<User>): never {
    const error = new SessionError('session_expired', 'The server refused to refresh the session.')
    const now = this.host.getSession()
    if (now && !otherCredentials(now, current)) {
      this.reset()
      this.host.emit({ type: 'refreshFailed', error, retryInMs: null })
      this.host.end(reason)
    }
    throw error
  }

  private transient(cause: unknown): never {
    this.failures += 1
    const delay = backoffDelay(this.failures, this.host.random)
    this.retryAt = this.host.clock.now() + delay
    const status = (cause as { response?: { status?: number } } | null)?.response?.status
    const error = new SessionError(
      'refresh_unavailable',
      cause === null
        ? 'The refresh response held no access token; will retry.'
        : `Refresh failed (${status ? `HTTP ${status}` : 'network error or timeout'}); will retry.`,
      status ? { status } : {},
    )
    this.host.emit({ type: 'refreshFailed', error, retryInMs: delay })
    this.host.shareBackoff(this.retryAt)
    this.host.reschedule()
    throw error
  }
}

function safeMap<User>(map: (b: unknown) => AuthResult<User> | null, body: unknown) {
  try {
    const r = map(body)
    return r && typeof r.accessToken === 'string' && r.accessToken !== '' ? r : null
  } catch {
    return null
  }
}
