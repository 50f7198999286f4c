import type { SessionBackend } from '../core/backend.js'
import { backoffDelay } from '../core/backoff.js'
import type { Clock } from '../core/clock.js'
import { callFailed, isSessionError } from '../core/errors.js'
import type { AuthCalls } from './calls.js'
import type { Machine } from './machine.js'

/** What telling the server of a sign-out uses. */
export interface SignOutDeps<User> {
  clock: Clock
  random(): number
  cookieMode: boolean
  machine: Pick<Machine<User>, 'shared' | 'emitter' | 'readSlot'>
  calls: AuthCalls
  backend: Pick<SessionBackend<User, never>, 'logout'>
}

/** Telling the server a session ended. See {@link createSignOut}. */
export type SignOut = ReturnType<typeof createSignOut>

/**
 * Tells the server a session ended (revokes its refresh token). Not heard (network, 5xx): said
 * again with backoff while the page lives (a sign-in since changes nothing: the request carries
 * the ended session's own tokens); refused: reported, since the token may live on at the server.
 *
 * Cookie mode: the browser has one cookie jar, and a sign-out sends whatever cookie it holds when
 * it goes out. So it goes under the browser-wide lock, as sign-ins and refreshes do (their answers
 * set the cookie), and only if the slot shows no live sign-in: one made since would be the cookie's
 * now, and the sign-out would end it. (A sign-in holds the lock until its timeline shows in every
 * tab.) Until the server hears it, a mark in storage makes the next page say it again before it
 * trusts the cookie.
 */
export function createSignOut<User>(d: SignOutDeps<User>) {
  const { machine: m, calls } = d
  /** The sign-outs waiting to be said again (one per unheard sign-out). */
  const retries = new Set<() => void>()

  /** Sends `request`; resolves to whether the server heard it. */
  async function send(
    request: NonNullable<ReturnType<NonNullable<SignOutDeps<User>['backend']['logout']>>>,
    retry: () => void,
    failures: number,
  ): Promise<boolean> {
    try {
      await calls.send(request)
      return true
    } catch (error) {
      const transient = calls.kind('logout', error) === 'transient'
      // (Cookie mode leaves a mark instead, and the next page says it before trusting the cookie.)
      const retryInMs = transient && !d.cookieMode ? backoffDelay(failures + 1, d.random) : null
      m.emitter.emit({
        type: 'logoutFailed',
        error: isSessionError(error) ? error : callFailed('unavailable', 'Sign-out', error),
        retryInMs,
      })
      if (retryInMs !== null) {
        const stop = d.clock.schedule(() => {
          retries.delete(stop)
          retry()
        }, retryInMs)
        retries.add(stop)
      }
      return !transient // a refusal was heard: saying it again changes nothing
    }
  }

  /** Tells the server (`retry`: say it again while unheard); resolves to whether it heard. */
  async function notify(
    tokens: { accessToken: string | null; refreshToken: string | null } | null,
    retry = true,
    failures = 0,
  ): Promise<boolean> {
    const request = d.backend.logout?.(tokens ?? { accessToken: null, refreshToken: null })
    const again = () => void notify(tokens, retry, failures + 1)
    if (!d.cookieMode) return request ? send(request, retry ? again : () => {}, failures) : true
    // Marked before it is sent, so that a page starting meanwhile says it again rather than trust
    // a cookie that is being cleared.
    if (request) m.shared.logoutPending(true)
    const heard =
      !request ||
      (await m.shared.exclusive(async () => !!m.readSlot() || send(request, again, failures)))
    m.shared.logoutPending(!heard)
    return heard
  }

  return {
    notify,
    /** Stops saying unheard sign-outs again (the keeper is destroyed). */
    cancel(): void {
      for (const stop of retries) stop()
      retries.clear()
    },
  }
}
