import type { Core } from '../core/context.js'
import { SessionError, callFailed, statusOf } from '../core/errors.js'
import { expiryOf, nextRev, otherCredentials, type Session } from '../core/tokens.js'
import type { EndReason } from '../core/types.js'
import { authCall } from '../http/scope.js'
import { backoffDelay, marginFor } from './backoff.js'

/** How long a tab that waited for the lock looks for the winner's result before refreshing. */
const SETTLE_MS = 250

/** Only a refusal by the server (400, 401, 403) ends a session; anything else is retried. */
export const isRejection = (error: unknown): boolean => [400, 401, 403].includes(statusOf(error)!)

const ended = (message: string) => new SessionError('session_expired', message)

/** The tab's refresh: one at a time, with backoff. See {@link createRefresher}. */
export type Refresher<User> = ReturnType<typeof createRefresher<User>>

/**
 * Single-flight refresh with failure classification and backoff. One promise per tab; the lock
 * makes it one call per browser, and the re-read under the lock adopts another tab's result.
 */
export function createRefresher<User>(
  keyChanged: (token: string | null) => Promise<boolean>,
  { o, http, state, cookieMode, url, map, random, evaluate }: Core<User>,
) {
  const { clock } = o
  let inflight: Promise<Session<User>> | null = null
  let failures = 0
  /** No automatic attempt before this moment (backoff after a failure here). */
  let retryAt = 0
  /** Another tab's failure: the browser backs off as one, instead of each tab in turn. */
  let sharedUntil = 0

  /** Waits a moment for another tab's result to reach this one, then re-reads storage. */
  const settle = async () => {
    await new Promise<void>((resolve) => clock.schedule(resolve, SETTLE_MS))
    state.syncFromStore()
  }

  /** The current session if it holds other credentials than `than` (someone else refreshed). */
  const replacedSince = (than: Session<User>) => {
    const now = state.session
    return now && otherCredentials(now, than) ? now : null
  }

  function succeeded(session: Session<User>, emit: boolean): Session<User> {
    reset()
    if (emit) state.emitter.emit({ type: 'refreshed', expiresAt: session.expiresAt })
    evaluate()
    return session
  }

  async function rejected(reason: EndReason, current: Session<User>): Promise<never> {
    const error = ended('The server refused to refresh the session.')
    // After a deploy that rotated the signing key, an API call often meets it before the next
    // health poll does: tell the user the real reason rather than a generic refusal.
    if (reason === 'refresh-rejected' && (await keyChanged(current.accessToken)))
      reason = 'incompatible'
    if (state.session && !replacedSince(current)) {
      reset()
      state.emitter.emit({ type: 'refreshFailed', error, retryInMs: null })
      state.end(reason)
    }
    throw error
  }

  function transient(cause: unknown): never {
    const delay = backoffDelay(++failures, random)
    retryAt = clock.now() + delay
    const error = cause
      ? callFailed('refresh_unavailable', 'Refresh', cause)
      : new SessionError('refresh_unavailable', 'The refresh response held no access token.')
    state.emitter.emit({ type: 'refreshFailed', error, retryInMs: delay })
    state.post({ kind: 'backoff', until: retryAt })
    evaluate()
    throw error
  }

  async function run(onReject: EndReason): Promise<Session<User>> {
    const started = state.session
    if (!started) throw ended('There is no session to refresh.')
    return state.lock.run(async (contended) => {
      // Another tab may have refreshed while we waited: its session (read from storage, or
      // already adopted from its message) is newer than the one we set out to refresh.
      state.syncFromStore()
      // Browsers hand a released lock on before the winner's storage write reaches this tab
      // (Chromium propagates localStorage between renderers asynchronously): when we had to
      // wait, give that write, or the winner's message, a moment to arrive.
      if (contended && !replacedSince(started)) await settle()
      const current = state.session
      if (!current) throw ended('The session ended during refresh.')
      if (replacedSince(started)) return succeeded(current, false)
      if (clock.now() < sharedUntil)
        throw new SessionError('refresh_unavailable', 'Another tab is backing off; will retry.')
      let body: unknown
      try {
        body = (
          await http.post(
            url(o.endpoints.refresh),
            cookieMode ? {} : { refresh_token: current.refreshToken },
            authCall(o.refreshTimeout),
          )
        ).data
      } catch (error) {
        if (!isRejection(error)) return transient(error)
        // A refused refresh token may only mean another tab rotated it and its write has not
        // reached us yet: look once more before ending the session. Never a wrong logout.
        await settle()
        const after = replacedSince(current)
        return after ? succeeded(after, false) : rejected(onReject, current)
      }
      const result = map(body)
      if (!result && !cookieMode) return transient(null)
      // A logout, or other credentials (a new sign-in, another tab's refresh), that arrived while
      // we waited win over this result; a mere update of the user does not.
      const latest = state.session
      if (!latest) throw ended('The session ended during refresh.')
      if (otherCredentials(latest, current)) return succeeded(latest, false)
      const receivedAt = clock.now()
      const accessToken = result?.accessToken ?? null
      const next: Session<User> = {
        ...latest,
        accessToken,
        refreshToken: result?.refreshToken ?? latest.refreshToken,
        expiresAt: expiryOf(accessToken, result?.expiresIn, receivedAt, latest.skew),
        issuedAt: receivedAt,
        user: result?.user ?? latest.user,
        rev: nextRev(latest, receivedAt),
      }
      // Stored (rotated refresh token included) before the lock is released or anyone uses it.
      state.commit(next)
      return succeeded(next, true)
    })
  }

  /** The network came back or the tab came into view: retry at once. */
  function retryNow(): void {
    retryAt = sharedUntil = 0
  }

  /** Forget backoff (a new session). */
  function reset(): void {
    failures = 0
    retryNow()
  }

  return {
    get inFlight(): boolean {
      return inflight !== null
    },

    /** True while this tab, or another, is backing off after a transient failure. */
    backingOff: (now: number): boolean => now < Math.max(failures ? retryAt : 0, sharedUntil),

    /** When the next automatic refresh is due for `session`, or `null` for never (opaque token). */
    dueAt({ expiresAt, issuedAt }: Session<User>): number | null {
      const own = failures
        ? retryAt
        : expiresAt === null
          ? null
          : expiresAt - marginFor(issuedAt, expiresAt, o.refreshMargin)
      return own === null ? null : Math.max(own, sharedUntil)
    },

    /** Another tab failed transiently and retries at `until`: wait for that too. */
    deferUntil(until: number): void {
      sharedUntil = Math.max(sharedUntil, until)
    },

    retryNow,
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
