import { authCall } from '../http/scope.js'
import type { Core } from './context.js'
import { SessionError, callFailed, statusOf } from './errors.js'
import { expiryOf, nextRev } from './tokens.js'

/** A restore-time verify claimed by one tab this recently is not repeated by the others. */
const VERIFY_CLAIM_MS = 30_000

/** Login and register refused (4xx) or unreachable (network, timeout, 408, 429, 5xx). */
function authError(error: unknown): SessionError {
  const status = statusOf(error)
  return status && status >= 400 && status < 500 && status !== 408 && status !== 429
    ? new SessionError(
        'invalid_credentials',
        `The server refused the credentials (HTTP ${status}).`,
        {
          status,
        },
      )
    : callFailed('unavailable', 'Sign-in', error)
}

/**
 * The flows that talk to the auth endpoints outside the interceptors: sign-in (login and
 * register), the restore-time verify, and the cookie-mode start-up check.
 */
export function createFlows<User>(
  { o, http, state, url, map, cookieMode }: Core<User>,
  refresh: () => Promise<unknown>,
  restartHealth: () => void,
) {
  const { clock, endpoints: ep } = o
  let booting: Promise<void> | null = null

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
    if (!result && !cookieMode)
      throw new SessionError('unavailable', 'The sign-in response held no access token.')
    const now = clock.now()
    const accessToken = result?.accessToken ?? null
    const user = (result?.user ?? (data as { user?: User } | null)?.user ?? null) as User | null
    restartHealth() // the first poll is one interval after sign-in, not at once
    state.commit({
      accessToken,
      refreshToken: result?.refreshToken ?? null,
      expiresAt: expiryOf(accessToken, result?.expiresIn, now),
      issuedAt: now,
      user,
      startedAt: now,
      lastActivity: now,
      rev: nextRev(state.session, now),
    })
    state.emitter.emit({ type: 'loggedIn', user })
    return user
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
  function bootCookieSession(): Promise<void> {
    booting ??= askServerForSession().finally(() => {
      booting = null
    })
    return booting
  }

  async function askServerForSession(): Promise<void> {
    const verify = (token: string | null) =>
      http.get(url(ep.verify), authCall(o.refreshTimeout, token))
    const now = clock.now()
    try {
      let token: string | null = null
      let expiresIn: number | null | undefined
      const data = await verify(null).then(
        (r) => r.data as { user?: User },
        async (error) => {
          if (statusOf(error) !== 401) throw error
          const refreshed = map(
            (await http.post(url(ep.refresh), {}, authCall(o.refreshTimeout))).data,
          )
          token = refreshed?.accessToken ?? null
          expiresIn = refreshed?.expiresIn
          return (await verify(token)).data as { user?: User }
        },
      )
      if (state.session) return
      restartHealth()
      const session = {
        refreshToken: null,
        issuedAt: now,
        startedAt: now,
        lastActivity: now,
        rev: now,
      }
      state.commit(
        {
          ...session,
          accessToken: token,
          expiresAt: expiryOf(token, expiresIn, now),
          user: data?.user ?? null,
        },
        false,
      )
      state.emitter.emit({ type: 'synced', from: 'storage' })
    } catch {
      if (!state.session && state.status === 'loading') state.settle(null)
    }
  }

  return { signIn, verifyRestored, bootCookieSession }
}
