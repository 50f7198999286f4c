// The session logic through a backend adapter that is not our contract: an auth server on another
// origin, no health or user call, sign-out that must be said again, and refreshed JWTs whose `iat`
// cannot be trusted. MSW plays the servers.
import { http as mswHttp, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { SessionBackend } from '../../src/backends/index.js'
import {
  API,
  pass,
  recordEvents,
  recordResponses,
  settle,
  useMockApi,
  type User,
} from '../harness.js'

const AUTH = 'https://auth.test'
const { server, makeKeeper } = useMockApi()
beforeEach(() => void vi.useFakeTimers())

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
const jwt = (claims: object) => `${b64({ alg: 'none' })}.${b64(claims)}.sig`

/** An auth server on another origin, with its own paths and request shapes. */
function authServer({ staleIat = false } = {}) {
  let n = 0
  const revoked: string[] = []
  server.use(
    mswHttp.post(`${AUTH}/token`, async ({ request }) => {
      const body = (await request.json()) as { grant: string; refresh?: string }
      const now = Math.floor(Date.now() / 1000)
      n += 1
      // SimpleJWT 5.2's bug, when asked: a refreshed token carries the first token's iat
      const iat = staleIat && body.grant === 'refresh' ? now - 600 : now
      const at = jwt({ sub: 'ada', iat, exp: now + 60 })
      return HttpResponse.json({ access_token: at, refresh_token: `r${n}-${Math.random()}` })
    }),
    mswHttp.post(`${AUTH}/revoke`, async ({ request }) => {
      revoked.push(((await request.json()) as { token: string }).token)
      return new HttpResponse(null, { status: 204 })
    }),
    mswHttp.get(`${AUTH}/elsewhere`, () => HttpResponse.json({})),
    mswHttp.get(`${API}/api/data`, () => HttpResponse.json({ ok: true })),
  )
  return { revoked, calls: () => n }
}

const backend: SessionBackend<User, { user: string }> = {
  login: (c) => ({ url: `${AUTH}/token`, body: { grant: 'password', ...c } }),
  refresh: (rt) => ({ url: `${AUTH}/token`, body: { grant: 'refresh', refresh: rt } }),
  logout: ({ refreshToken }) => ({ url: `${AUTH}/revoke`, body: { token: refreshToken } }),
  readTokens: (b) => {
    const { access_token: at, refresh_token: rt } = b as Record<string, string | undefined>
    return at ? { accessToken: at, refreshToken: rt, user: { username: 'ada' } } : null
  },
}

describe('a backend adapter on another origin', () => {
  it('signs in there, yet the bearer goes only under baseURL; no health or user call is made', async () => {
    authServer()
    const keeper = makeKeeper({ backend, healthInterval: 1_000 })
    keeper.start()
    const responses = recordResponses(server)
    expect(await settle(keeper.login({ user: 'ada' }))).toEqual({ username: 'ada' })
    await settle(keeper.http.get('/api/data'))
    await settle(keeper.http.get(`${AUTH}/elsewhere`))
    await pass(5_000)
    expect(responses.seen.map((r) => [r.path, !!r.bearer])).toEqual([
      ['/token', false],
      ['/api/data', true],
      ['/elsewhere', false],
    ])
    expect(keeper.timing.healthInterval).toBe(false)
    responses.stop()
  })

  it('times refreshed JWTs by exp and the clock offset measured at sign-in, not a stale iat', async () => {
    authServer({ staleIat: true })
    const keeper = makeKeeper({ backend, refreshMargin: 10_000 })
    keeper.start()
    await settle(keeper.login({ user: 'ada' }))
    await settle(keeper.refresh())
    const s = keeper.getSnapshot()
    // exp - iat would claim 11 minutes; the token lives 60 s
    expect(s.status === 'authenticated' && s.expiresAt! - Date.now()).toBeLessThanOrEqual(60_000)
  })

  it('a sign-out the server did not hear is reported and said again with backoff until heard', async () => {
    const auth = authServer()
    const keeper = makeKeeper({ backend })
    keeper.start()
    await settle(keeper.login({ user: 'ada' }))
    const events = recordEvents(keeper)
    let failures = 2
    server.use(
      mswHttp.post(`${AUTH}/revoke`, async ({ request }) => {
        if (failures-- > 0) return HttpResponse.error()
        auth.revoked.push(((await request.json()) as { token: string }).token)
        return new HttpResponse(null, { status: 204 })
      }),
    )
    await settle(keeper.logout())
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    await pass(10_000)
    const failed = events.filter((e) => e.type === 'logoutFailed')
    expect(failed).toHaveLength(2)
    expect(failed.every((e) => typeof e.retryInMs === 'number')).toBe(true)
    expect(auth.revoked).toEqual([expect.stringMatching(/^r1-/)])
  })

  it('a refused sign-out is reported once, with nothing to retry', async () => {
    authServer()
    server.use(mswHttp.post(`${AUTH}/revoke`, () => HttpResponse.json({}, { status: 400 })))
    const keeper = makeKeeper({ backend })
    keeper.start()
    await settle(keeper.login({ user: 'ada' }))
    const events = recordEvents(keeper)
    await settle(keeper.logout())
    await pass(10_000)
    expect(events.filter((e) => e.type === 'logoutFailed')).toEqual([
      { type: 'logoutFailed', error: expect.objectContaining({ status: 400 }), retryInMs: null },
    ])
  })

  it('endpoints or mapAuthResponse beside a backend is a config error', () => {
    expect(() => makeKeeper({ backend, endpoints: { login: '/x' } })).toThrow(
      expect.objectContaining({ code: 'config' }),
    )
  })
})
