import { authCall } from '../http/scope.js'
import { pastDeadline } from './gate.js'
import type { Core } from './context.js'
import { backoffDelay } from '../refresh/backoff.js'
import { SessionError, callFailed, refused, statusOf } from './errors.js'
import { decodeJwt, expiryOf, nextRev, nonEmptyString, skewOf, type Session } from './tokens.js'
import type { AuthResult } from './types.js'

/** A restore-time verify claimed by one tab this recently is not repeated by the others. */
const VERIFY_CLAIM_MS = 30_000

/** Login and register refused (4xx) or unreachable (network, timeout, 408, 429, 5xx). */
function authError(error: unknown): SessionError {
  const status = statusOf(error)
  return refused(error)
    ? new SessionError(
        'invalid_credentials',
        `The server refused the credentials (HTTP ${status}).`,
        { status },
      )
    : callFailed('unavailable', 'Sign-in', error)
}

/**
 * The flows that talk to the auth endpoints outside the interceptors: sign-in (login and
 * register), the restore-time verify, and the cookie-mode start-up check.
 */
export function createFlows<User>(
  { o, http, state, url, map, cookieMode, random }: Core<User>,
  refresh: () => Promise<unknown>,
  restartHealth: () => void,
) {
  const { clock, endpoints: ep } = o
  let booting: Promise<void> | null = null
  /** Start-up checks in a row that could not reach the server (cookie mode); 0 once it answers. */
  let bootFailures = 0
  let cancelRetry: (() => void) | null = null
  /** Unmounted: a failed check schedules no retry until the next mount asks again. */
  let paused = false

  async function signIn(path: string, body: object): Promise<User | null> {
    // A cookie-mode start-up check still asking the server could clear the new cookie with its
    // failed refresh: let it finish first.
    await booting
    let data: unknown
    try {
      data = (await http.post(url(path), body, authCall(o.refreshTimeout))).data
    } catch (error) {
      throw authError(error)
    }
    const result = map(data)
    const user = (result?.user ?? (data as { user?: User } | null)?.user ?? null) as User | null
    if (!result && !cookieMode) {
      // A registration the server has yet to confirm (by email, say) signs nobody in yet.
      if (path === ep.register) return user
      throw new SessionError('unavailable', 'The sign-in response held no access token.')
    }
    if (cookieMode) state.logoutPending(false) // the new cookie replaced the unheard one
    return begin(result, user, true)
  }

  /**
   * Starts a new session with `result`'s tokens (none in cookie mode): stored, shared, announced.
   * Tokens the server issued just now (`fresh`) are timed from receipt and give the clock skew;
   * tokens the app held for a while are judged by their own `exp`, and refreshed before the first
   * request when that has passed.
   */
  function begin(result: AuthResult<User> | null, user: User | null, fresh: boolean): User | null {
    const now = clock.now()
    const accessToken = result?.accessToken ?? null
    const iat = accessToken ? decodeJwt(accessToken)?.iat : undefined
    // Held tokens tell nothing of the server's clock: their refreshed successors are timed as usual.
    const skew = fresh ? skewOf(accessToken, now) : undefined
    restartHealth() // the first poll is one interval after sign-in, not at once
    state.commit({
      accessToken,
      refreshToken: result?.refreshToken ?? null,
      expiresAt: expiryOf(accessToken, result?.expiresIn, now, fresh ? undefined : 0),
      issuedAt: !fresh && typeof iat === 'number' && iat * 1000 <= now ? iat * 1000 : now,
      user,
      startedAt: now,
      lastActivity: now,
      rev: nextRev(state.session, now),
      ...(skew === undefined ? {} : { skew }),
    })
    state.emitter.emit({ type: 'loggedIn', user })
    return user
  }

  /**
   * Signs in with tokens the app already holds (moving off hand-kept tokens); with no `user`, one
   * background `verify` fetches it. Throws before changing anything when the tokens are unusable.
   */
  function setSession(tokens: AuthResult<User>): void {
    if (cookieMode)
      throw new SessionError('config', 'setSession: cookie mode has no tokens to set.')
    const { accessToken, refreshToken } = tokens ?? {}
    if (!nonEmptyString(accessToken) || !(refreshToken == null || nonEmptyString(refreshToken)))
      throw new SessionError('invalid_credentials', 'setSession: tokens must be non-empty strings.')
    begin(tokens, tokens.user ?? null, false)
    if (tokens.user === undefined) void verifyRestored()
  }

  /** One background verify per browser after a restore; updates the user from the answer. */
  async function verifyRestored(): Promise<void> {
    const claimed = await state.lock.run(async () =>
      state.claimVerify(clock.now(), VERIFY_CLAIM_MS),
    )
    if (!claimed) return
    try {
      const rev = state.session?.rev
      const body = (await http.get(url(ep.verify), { timeout: o.refreshTimeout })).data as {
        valid?: unknown
        user?: User
      }
      const s = state.session
      if (body?.valid === false && s) await refresh()
      else if (s && body?.user !== undefined && s.rev === rev)
        state.commit({ ...s, user: body.user, rev: nextRev(s, clock.now()) })
    } catch {
      // a 401 went through the refresh path already; network failures never end a session
    }
  }

  /** Cookie mode: nothing is stored, so ask the server whether its cookie is a session. */
  function bootCookieSession(from: 'storage' | 'other-tab' = 'storage'): Promise<void> {
    cancelRetry?.()
    cancelRetry = null
    paused = false
    booting ??= askServerForSession(from).finally(() => {
      booting = null
    })
    return booting
  }

  /** Asks the server again at once if the last start-up check could not reach it. */
  function retryBoot(): void {
    if (state.session) bootFailures = 0
    if (bootFailures) void bootCookieSession()
  }

  /** Cancels the scheduled retry (unmount); {@link retryBoot} resumes it. */
  function pauseBoot(): void {
    paused = true
    cancelRetry?.()
    cancelRetry = null
  }

  async function askServerForSession(from: 'storage' | 'other-tab'): Promise<void> {
    type Verified = { valid?: unknown; user?: User } | null
    const verify = async (token: string | null) =>
      (await http.get(url(ep.verify), authCall(o.refreshTimeout, token))).data as Verified
    const now = clock.now()
    // A page opened after the session's idle or absolute deadline starts signed out with that
    // reason, and tells the server, as the timeout would have.
    const t = state.stored()
    const late = t && pastDeadline(t, o, now, true)
    if (late) {
      state.clearStored()
      state.settle(late)
      state.emitter.emit({ type: 'loggedOut', reason: late })
      return signOut(null)
    }
    try {
      // A sign-out the server never heard: say it again before trusting its cookie.
      if (state.logoutPending()) {
        await signOut(null)
        if (state.logoutPending()) throw new Error('sign-out still unheard') // retried below
        bootFailures = 0
        return noSession()
      }
      let token: string | null = null
      let expiresIn: number | null | undefined
      let data = await verify(null).catch((error) => {
        if (statusOf(error) !== 401) throw error
        return null
      })
      // No access token yet (or none the server takes): the refresh cookie may still be a session.
      if (!data || data.valid === false) {
        const refreshed = map(
          (await http.post(url(ep.refresh), {}, authCall(o.refreshTimeout))).data,
        )
        token = refreshed?.accessToken ?? null
        expiresIn = refreshed?.expiresIn
        data = await verify(token)
      }
      bootFailures = 0
      if (state.session || data?.valid === false) return noSession(true)
      restartHealth()
      // The session's timeline (since when, last active when) lives on in storage across reloads.
      const t = state.stored()
      state.commit(
        {
          accessToken: token,
          refreshToken: null,
          expiresAt: expiryOf(token, expiresIn, now),
          issuedAt: now,
          user: data?.user ?? null,
          startedAt: t?.startedAt ?? now,
          lastActivity: t?.lastActivity ?? now,
          rev: t?.rev ?? now,
        },
        false,
        !t,
      )
      state.emitter.emit({ type: 'synced', from })
    } catch (error) {
      noSession()
      // The server could not answer (a deploy, a restart, the network): its cookie may well hold a
      // session, so ask again with backoff rather than look signed out until the next reload.
      if (refused(error) || state.session) bootFailures = 0
      else {
        bootFailures++
        if (!paused) cancelRetry = clock.schedule(retryBoot, backoffDelay(bootFailures, random))
      }
    }
  }

  /** Leaves `loading` with no session, unless one arrived meanwhile; `refused`: forget the timeline. */
  function noSession(refused = false): void {
    if (refused && !state.session) state.clearStored()
    if (!state.session && state.status === 'loading') state.settle(null)
  }

  /** Tells the server a session has ended; its failure changes nothing here. */
  async function signOut(session: Session<User> | null): Promise<void> {
    const heard = await http
      .post(url(ep.logout), undefined, authCall(o.refreshTimeout, session?.accessToken))
      .then(() => true, refused)
    // Cookie mode: until the server hears it, its cookie could sign the next page back in.
    if (cookieMode) state.logoutPending(!heard)
  }

  return { signIn, setSession, signOut, verifyRestored, bootCookieSession, retryBoot, pauseBoot }
}
