// The keeper, through its public API, against the real servers: sign-in, protected calls,
// proactive refresh with rotation, a burst on an expired token, sign-out that revokes, a refused
// refresh, bad credentials and a wrong setting. Real timers (real servers): every wait is on a
// condition or an event, bounded; access tokens live 3 s. Calls are counted by the servers.
import axios from 'axios'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  createSessionKeeper,
  decodeJwt,
  type Clock,
  isSessionError,
  type SessionKeeper,
  type SessionKeeperOptions,
} from 'session-keeper'
import { oauth2, simpleJwt, type SessionBackend } from 'session-keeper/backends'
import { startDjango, startOAuth2, waitFor, type RunningServer } from './servers.js'
import { send } from './wire.js'

const LIFETIME_S = 3
const ann = { username: 'ann', password: 'ann-password' }

interface Server {
  name: string
  start(): Promise<RunningServer>
  backend: SessionBackend<unknown, object>
  /** A setting the server cannot work with (the request is malformed for it). */
  misconfigured: { backend: SessionBackend<unknown, object>; credentials: object }
  protectedPath: string
  /** What the user call says of ann. */
  user: object
  /** Where the server counts refresh calls. */
  refreshCall: string
  /** The path of the refresh endpoint, as the server counts its answers. */
  refreshPath: string
  /** The refresh token in a sign-in or refresh answer. */
  refreshTokenIn(body: unknown): string | undefined
}

const servers: Server[] = [
  {
    name: 'Django REST framework SimpleJWT',
    start: () => startDjango(LIFETIME_S),
    backend: simpleJwt({ blacklist: true, userPath: '/api/me/' }),
    misconfigured: {
      backend: simpleJwt({ blacklist: true }),
      credentials: { email: 'ann@example.com', password: 'ann-password' }, // USERNAME_FIELD is username
    },
    protectedPath: '/api/protected/',
    user: { id: 1, username: 'ann' },
    refreshCall: '/api/token/refresh/',
    refreshPath: '/api/token/refresh/',
    refreshTokenIn: (body) => (body as { refresh?: string }).refresh,
  },
  {
    name: 'OAuth 2.0 (@node-oauth/oauth2-server)',
    start: () => startOAuth2(LIFETIME_S),
    backend: oauth2({
      tokenPath: '/oauth/token',
      clientId: 'spa',
      revokePath: '/oauth/revoke',
      userinfoPath: '/oauth/userinfo',
    }),
    misconfigured: {
      backend: oauth2({ tokenPath: '/oauth/token', clientId: 'not-registered' }),
      credentials: ann,
    },
    protectedPath: '/api/protected',
    user: { sub: '1', preferred_username: 'ann', name: 'Ann' },
    refreshCall: '/oauth/token refresh_token',
    refreshPath: '/oauth/token',
    refreshTokenIn: (body) => (body as { refresh_token?: string }).refresh_token,
  },
]

describe.each(servers)('the keeper against $name', (srv) => {
  let server: RunningServer
  let keeper: SessionKeeper<unknown, object>
  /** The refresh tokens the server handed out, newest last (read off the wire, for the checks). */
  let issued: string[]
  /** The access tokens handed out, with when they arrived. */
  let accessIssued: { token: string; at: number }[]

  beforeAll(async () => {
    server = await srv.start()
  }, 60_000)
  afterAll(() => server?.stop())
  afterEach(() => keeper?.destroy())

  function newKeeper(options: Partial<SessionKeeperOptions> = {}) {
    const http = axios.create({ baseURL: server.origin })
    issued = []
    accessIssued = []
    http.interceptors.response.use((res) => {
      const token = res.data && typeof res.data === 'object' ? srv.refreshTokenIn(res.data) : null
      if (token) issued.push(token)
      const access = (res.data as { access?: string; access_token?: string } | null) ?? {}
      const accessToken = access.access ?? access.access_token
      if (accessToken) accessIssued.push({ token: accessToken, at: Date.now() })
      return res
    })
    keeper = createSessionKeeper({
      baseURL: server.origin,
      http,
      backend: srv.backend,
      storage: 'memory',
      crossTab: false,
      idleTimeout: false,
      ...options,
    })
    return keeper
  }

  /** Resolves with the next event of `type`, or rejects after `ms`. */
  function next<T extends 'refreshed' | 'loggedOut'>(type: T, ms: number) {
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(new Error(`no '${type}' within ${ms} ms`))
      }, ms)
      const off = keeper.on(type, (event) => {
        clearTimeout(timer)
        off()
        resolve(event)
      })
    })
  }

  const refusedProtected = async () =>
    (await server.stats()).statuses[`${srv.protectedPath} 401`] ?? 0

  it('signs in and makes a protected call', async () => {
    newKeeper().start()
    const user = await keeper.login(ann)
    expect(user).toEqual(srv.user)
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', user: srv.user })
    const res = await keeper.http.get(srv.protectedPath)
    expect(res.data).toMatchObject({ ok: true, user: 'ann' })
  })

  it('refreshes ahead of expiry across three token lifetimes, following rotation, with no 401', async () => {
    newKeeper().start()
    await keeper.login(ann)
    await server.stats(true)
    const t0 = Date.now()
    let refreshes = 0
    while (Date.now() - t0 < 3 * LIFETIME_S * 1000) {
      await next('refreshed', (LIFETIME_S + 2) * 1000)
      refreshes++
      expect((await keeper.http.get(srv.protectedPath)).status).toBe(200)
    }
    const stats = await server.stats()
    expect(refreshes).toBeGreaterThanOrEqual(3)
    expect(stats.calls[srv.refreshCall]).toBe(refreshes) // one server call per refresh, all taken
    expect(stats.statuses[`${srv.refreshPath} 200`]).toBe(refreshes)
    expect(await refusedProtected()).toBe(0) // proactive: no request ever met an expired token
    expect(new Set(issued).size).toBe(refreshes + 1) // a new refresh token each time (rotation)
    const gaps = accessIssued.slice(1).map((a, i) => a.at - accessIssued[i]!.at)
    const claimed = accessIssued.map(({ token }) => decodeJwt(token)).filter((c) => c !== null)
    console.info(
      `${srv.name}: ${refreshes} refreshes in ${Date.now() - t0} ms for ${LIFETIME_S} s tokens, ` +
        `gaps ${gaps.join('/')} ms` +
        (claimed.length
          ? `; exp - iat of the access tokens: ${claimed.map((c) => Number(c.exp) - Number(c.iat)).join('/')} s`
          : ''),
    )
  })

  it('100 concurrent requests on an expired access token: exactly 1 refresh, 0 failures', async () => {
    // A device asleep: its timers do not fire, so no proactive refresh happens before the burst.
    let asleep = false
    const clock: Clock = {
      now: () => Date.now(),
      schedule(fn, ms) {
        const id = setTimeout(() => asleep || fn(), Math.max(0, ms))
        return () => clearTimeout(id)
      },
    }
    newKeeper({ clock }).start()
    await keeper.login(ann)
    asleep = true
    const snapshot = keeper.getSnapshot()
    const expiresAt = snapshot.status === 'authenticated' ? snapshot.expiresAt : null
    expect(expiresAt).not.toBeNull()
    // the server's clock counts whole seconds: a second more and it has certainly expired there too
    await waitFor('the access token to expire', () => Date.now() > expiresAt! + 1100, 10_000)
    asleep = false // woken: the app fires a burst before any timer of the keeper runs
    await server.stats(true)
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => keeper.http.get(srv.protectedPath)),
    )
    const stats = await server.stats()
    const failed = results.filter((r) => r.status === 'rejected')
    expect(failed.map((r) => String((r as PromiseRejectedResult).reason)).slice(0, 1)).toEqual([])
    expect(failed).toHaveLength(0)
    expect(stats.calls[srv.refreshCall]).toBe(1)
    expect(stats.statuses[`${srv.protectedPath} 200`]).toBe(100)
  })

  it('sign-out revokes server-side: the last refresh token is refused afterwards', async () => {
    newKeeper().start()
    await keeper.login(ann)
    await keeper.refresh() // a rotated token, so the one revoked is not the sign-in's
    const last = issued.at(-1)!
    await keeper.logout()
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    await waitFor('the revocation to reach the server', async () => {
      const after = await send(server.origin, srv.backend.refresh(last))
      return srv.backend.classify!('refresh', after) === 'refused'
    })
  })

  it('a refresh the server refuses ends the session with refresh-rejected', async () => {
    newKeeper().start()
    await keeper.login(ann)
    // the refresh token dies behind the keeper's back (revoked by another device, say)
    const tokens = { accessToken: null, refreshToken: issued.at(-1)! }
    const revoke = srv.backend.logout!(tokens)!
    expect((await send(server.origin, revoke)).status).toBe(200)
    const ended = next('loggedOut', 10_000)
    await expect(keeper.refresh()).rejects.toSatisfy((e) => isSessionError(e))
    expect(await ended).toMatchObject({ reason: 'refresh-rejected' })
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'refresh-rejected' })
  })

  it('bad credentials are invalid_credentials', async () => {
    newKeeper().start()
    const error = await keeper.login({ username: 'ann', password: 'wrong' }).catch((e) => e)
    expect(isSessionError(error, 'invalid_credentials')).toBe(true)
    expect(keeper.getSnapshot().status).toBe('unauthenticated')
  })

  it('a request the server cannot take (a wrong setting) is config, not a wrong password', async () => {
    newKeeper({ backend: srv.misconfigured.backend }).start()
    const error = await keeper.login(srv.misconfigured.credentials).catch((e) => e)
    expect(isSessionError(error, 'config')).toBe(true)
    expect(keeper.getSnapshot().status).toBe('unauthenticated')
  })
})
