import type { SessionBackend } from '../core/backend.js'
import type { Clock } from '../core/clock.js'
import { SessionError, callFailed, statusOf } from '../core/errors.js'
import { decodeJwt, expiryOf, nextRev, nonEmptyString, sidOf, skewOf } from '../core/tokens.js'
import type { AuthResult } from '../core/types.js'
import type { AuthCalls } from './calls.js'
import type { Machine } from './machine.js'
import { createSignOut } from './signout.js'

/** What the sign-in flows use. */
export interface FlowDeps<User, Credentials extends object> {
  clock: Clock
  random(): number
  cookieMode: boolean
  machine: Machine<User>
  /** Re-reads the slot for another tab's session. */
  sync(): boolean
  calls: AuthCalls
  backend: SessionBackend<User, Credentials>
  refresh(): Promise<unknown>
  /** Resolves when a cookie-mode start-up check in flight has finished. */
  booted(): Promise<void>
}

/** The sign-in flows. See {@link createFlows}. */
export type Flows<User, Credentials extends object> = ReturnType<
  typeof createFlows<User, Credentials>
>

/**
 * The flows that talk to the auth server outside the interceptors: sign-in (login and register),
 * `setSession`, the restore-time user check, and telling the server a session ended.
 */
export function createFlows<User, Credentials extends object>(d: FlowDeps<User, Credentials>) {
  const { clock, machine: m, calls, backend } = d
  const signOut = createSignOut<User>({ ...d, backend: backend as never })

  /** The user the server describes for `token` (`null`: not a session; `undefined`: no such call). */
  async function userFor(token: string | null, gated = false) {
    if (!backend.user) return undefined
    const body = await calls.send(backend.user(token), gated)
    return backend.readUser ? backend.readUser(body) : { user: body as User }
  }

  /**
   * Signs in. Cookie mode: the answer sets the browser's one cookie, so the call waits for a
   * start-up check, refresh or sign-out in flight in any tab (each would clear or replace the new
   * cookie when its answer came), and keeps the lock until the new timeline shows in every tab.
   */
  async function signIn(call: 'login' | 'register', body: object): Promise<User | null> {
    await d.booted()
    return d.cookieMode ? m.shared.exclusive(() => send(call, body), true) : send(call, body)
  }

  async function send(call: 'login' | 'register', body: object): Promise<User | null> {
    const build = call === 'login' ? backend.login : backend.register
    if (!build) throw new SessionError('config', 'This backend has no registration call.')
    let data: unknown
    try {
      data = await calls.send(build(body as Credentials))
    } catch (error) {
      const kind = calls.kind(call, error)
      const status = statusOf(error)
      throw kind === 'refused'
        ? new SessionError(
            'invalid_credentials',
            `The server refused the credentials (HTTP ${status}).`,
            { status },
          )
        : kind === 'config'
          ? new SessionError(
              'config',
              `The server refused the sign-in request itself (HTTP ${status}): check the backend settings.`,
              { status },
            )
          : callFailed('unavailable', 'Sign-in', error)
    }
    const result = calls.readTokens<User>(data)
    let user: User | null | undefined =
      result?.user !== undefined ? result.user : (data as { user?: User } | null)?.user
    if (!result && !d.cookieMode) {
      // A registration the server has yet to confirm (by email, say) signs nobody in yet.
      if (call === 'register') return user ?? null
      throw new SessionError('unavailable', 'The sign-in response held no access token.')
    }
    if (user === undefined)
      user = (await userFor(result?.accessToken ?? null).catch(() => null))?.user
    if (d.cookieMode) m.shared.logoutPending(false) // the new cookie replaced the unheard one
    return begin(result, user ?? null, true)
  }

  /**
   * Starts a new session with `result`'s tokens (none in cookie mode): stored, shared, announced.
   * Tokens the server issued just now (`fresh`) are timed from receipt and give the clock skew;
   * tokens the app held for a while are judged by their own `exp`, and refreshed before the first
   * request when that has passed.
   */
  function begin(result: AuthResult<User> | null, user: User | null, fresh: boolean): User | null {
    // (An earlier sign-out not heard yet is still said: it carries the ended session's own tokens.)
    const now = clock.now()
    const accessToken = result?.accessToken ?? null
    const iat = accessToken ? decodeJwt(accessToken)?.iat : undefined
    // Held tokens tell nothing of the server's clock: their refreshed successors are timed as usual.
    const skew = fresh ? skewOf(accessToken, now) : undefined
    m.dispatch({
      type: 'committed',
      cause: 'sign-in',
      session: {
        accessToken,
        refreshToken: result?.refreshToken ?? null,
        expiresAt: expiryOf(accessToken, result?.expiresIn, now, fresh ? undefined : 0),
        issuedAt: !fresh && typeof iat === 'number' && iat * 1000 <= now ? iat * 1000 : now,
        user,
        startedAt: now,
        lastActivity: now,
        rev: nextRev(m.session, now),
        ...(skew === undefined ? {} : { skew }),
      },
    })
    return user
  }

  /**
   * Signs in with tokens the app already holds (moving off hand-kept tokens); with no `user`, one
   * background user check fetches it. Throws before changing anything when the tokens are unusable.
   */
  function setSession(tokens: AuthResult<User>): void {
    if (d.cookieMode)
      throw new SessionError('config', 'setSession: cookie mode has no tokens to set.')
    const { accessToken, refreshToken } = tokens ?? {}
    if (!nonEmptyString(accessToken) || !(refreshToken == null || nonEmptyString(refreshToken)))
      throw new SessionError('invalid_credentials', 'setSession: tokens must be non-empty strings.')
    const user = tokens.user !== undefined ? tokens.user : backend.userOf?.(accessToken)
    begin(tokens, user ?? null, false)
    if (user === undefined) void verifyRestored()
  }

  /** One background user check per browser after a restore; updates the user from the answer. */
  async function verifyRestored(): Promise<void> {
    if (!backend.user) return // no such call: the stored session is trusted until an API answer
    const claimed = await m.shared.lock().run(async () => {
      d.sync() // never write back an older session over a newer one
      const s = m.session
      const claimedAt = s ? m.readSlot()?.verifiedAt : undefined
      // a verify another tab claimed in the last 30 s is not repeated
      if (!s || (claimedAt !== undefined && clock.now() - claimedAt < 30_000)) return false
      m.persist({ ...s, verifiedAt: clock.now() }, false)
      return true
    })
    if (!claimed) return
    try {
      const sid = m.session && sidOf(m.session)
      const answer = await userFor(m.session?.accessToken ?? null, true)
      const s = m.session
      if (answer === null && s) await d.refresh()
      // (the same sign-in, perhaps refreshed meanwhile: the gate may have refreshed for this call)
      else if (s && answer && answer.user !== undefined && sidOf(s) === sid)
        m.dispatch({
          type: 'committed',
          cause: 'update',
          base: s.rev,
          session: { ...s, user: answer.user, rev: nextRev(s, clock.now()), sid: sidOf(s) },
        })
    } catch {
      // a 401 went through the refresh path already; network failures never end a session
    }
  }

  return {
    signIn,
    setSession,
    verifyRestored,
    /** Tells the server a session ended (see {@link createSignOut}). */
    notifyServerLogout: signOut.notify,
    userFor,
    /** Stops saying an unheard sign-out again (the keeper is destroyed). */
    dispose: signOut.cancel,
  }
}
