import { http as mswHttp, HttpResponse } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  API,
  ADA,
  MemoryStorage,
  recordEvents,
  recordResponses,
  pass,
  settle,
  useMockApi,
} from '../harness.js'

const TTL = 120_000 // access token: 2 min; refresh margin: min(60 s, TTL / 2) = 60 s
const { server, api, makeKeeper } = useMockApi({ accessTtlMs: TTL })
let responses: ReturnType<typeof recordResponses>

beforeEach(() => {
  vi.useFakeTimers()
  responses = recordResponses(server)
})
afterEach(() => responses.stop())

async function signedIn(opts: Parameters<typeof makeKeeper>[0] = {}) {
  const keeper = makeKeeper(opts)
  keeper.start()
  await settle(keeper.login(ADA))
  api().resetCounts()
  responses.seen.length = 0
  return keeper
}
/** The device sleeps: the wall clock jumps, no timer fires. */
const sleep = (ms: number) => vi.setSystemTime(Date.now() + ms)

describe('stampede and request gate', () => {
  it.each([1, 10, 100])(
    '%i parallel requests on an expired token: one refresh, each sent once',
    async (n) => {
      const keeper = await signedIn()
      sleep(10 * 60_000)
      const results = await settle(
        Promise.all(Array.from({ length: n }, () => keeper.http.get('/api/data'))),
      )
      expect(results.every((r) => r.data.user === 'ada')).toBe(true)
      expect(api().counts.refresh).toBe(1)
      expect(api().counts.data).toBe(n)
      expect(responses.to('/api/data').every((r) => r.status === 200)).toBe(true)
    },
  )

  it('requests sent while a slow refresh is in flight wait for it: none carries the stale token', async () => {
    const keeper = await signedIn()
    api().setLatency('refresh', 3_000)
    sleep(TTL - 30_000) // inside the margin, still valid
    const first = keeper.http.get('/api/data')
    await vi.advanceTimersByTimeAsync(1_000)
    const later = Array.from({ length: 5 }, () => keeper.http.get('/api/data'))
    await settle(Promise.all([first, ...later]), 500)
    const bearers = new Set(responses.to('/api/data').map((r) => r.bearer))
    const refreshed = responses.to('/api/auth/refresh')
    expect(refreshed).toHaveLength(1)
    expect(bearers.size).toBe(1)
    expect(responses.to('/api/data')).toHaveLength(6)
    expect(responses.to('/api/data').every((r) => r.status === 200)).toBe(true)
  })

  it('refreshes proactively, refreshMargin before expiry, with no request', async () => {
    const keeper = await signedIn()
    const events = recordEvents(keeper)
    await vi.advanceTimersByTimeAsync(TTL - 60_000 - 1_000)
    expect(api().counts.refresh).toBe(0)
    await vi.advanceTimersByTimeAsync(2_000)
    expect(api().counts.refresh).toBe(1)
    expect(events.map((e) => e.type)).toEqual(['refreshed'])
    // and keeps doing so, once per lifetime, for as long as the session lives
    await vi.advanceTimersByTimeAsync(10 * (TTL - 60_000))
    expect(api().counts.refresh).toBe(11)
  })

  it.each(['visibilitychange', 'focus', 'online', 'pageshow'])(
    'after a sleep past expiry, the %s wake check refreshes before anything goes out',
    async (type) => {
      const win = new EventTarget()
      const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' })
      await signedIn({
        environment: { window: win, document: doc, openChannel: null, locks: null },
      })
      sleep(20 * 60_000)
      ;(type === 'visibilitychange' ? doc : win).dispatchEvent(new Event(type))
      await pass(1000)
      expect(api().counts.refresh).toBe(1)
      expect(responses.to('/api/data')).toHaveLength(0)
    },
  )

  it('a request after a sleep past expiry waits for the refresh instead of going out stale', async () => {
    const keeper = await signedIn()
    sleep(20 * 60_000)
    await settle(keeper.http.get('/api/data'))
    expect(responses.to('/api/data').map((r) => r.status)).toEqual([200])
    expect(api().counts.refresh).toBe(1)
  })
})

describe('401 handling', () => {
  it('a 401 for a token already replaced is retried with the new one, without refreshing again', async () => {
    const keeper = await signedIn()
    api().setLatency('data', 2_000)
    const slow = keeper.http.get('/api/data') // carries token 1, answered after 2 s
    await vi.advanceTimersByTimeAsync(10)
    await settle(keeper.refresh()) // token 2 now; token 1's session stays valid on the server…
    api().rotateSecret({ keepOld: false }) // …until the server drops old keys: token 1 gets 401
    await settle(keeper.refresh().catch(() => {}))
    const before = api().counts.refresh
    await settle(slow, 500).catch(() => {})
    expect(api().counts.refresh).toBe(before)
  })

  it('a request of the signed-out account answered 401 after an account switch is not replayed as the new account', async () => {
    const keeper = await signedIn()
    // Ada places an order; the server gets to it only after she has switched to Grace (her
    // sign-out ended her session there), so it answers 401
    let release!: () => void
    const held = new Promise<void>((resolve) => (release = resolve))
    const by: Array<string | null> = []
    server.use(
      mswHttp.post(`${API}/api/orders`, async ({ request }) => {
        if (by.length === 0) await held
        const user = api().authorize(request)
        by.push(user?.username ?? null)
        return user
          ? HttpResponse.json({ by: user.username }, { status: 201 })
          : HttpResponse.json({ error: 'unauthorized' }, { status: 401 })
      }),
    )
    const order = keeper.http.post('/api/orders', { qty: 1 })
    order.catch(() => {})
    await vi.advanceTimersByTimeAsync(10)
    await settle(keeper.logout())
    await settle(keeper.login({ username: 'grace', password: 'hopper' }))
    release()
    const outcome = await settle(order).then(
      (r) => r.data,
      (e) => e,
    )
    // Ada's order is refused; it is not placed again with Grace's token
    expect(by).toEqual([null])
    expect(outcome).not.toEqual({ by: 'grace' })
  })

  it('a request of the signed-out account waiting for its refresh does not go out with the next account’s token', async () => {
    const keeper = await signedIn()
    const by: Array<string | null> = []
    server.use(
      mswHttp.post(`${API}/api/orders`, ({ request }) => {
        const user = api().authorize(request)
        by.push(user?.username ?? null)
        return HttpResponse.json({ by: user?.username ?? null }, { status: user ? 201 : 401 })
      }),
    )
    api().setLatency('refresh', 3_000)
    sleep(TTL - 30_000) // inside the margin: Ada's order waits for the refresh
    const order = keeper.http.post('/api/orders', { qty: 1 })
    order.catch(() => {})
    await vi.advanceTimersByTimeAsync(10)
    await keeper.logout() // she switches to Grace while the refresh is on its way
    await keeper.login({ username: 'grace', password: 'hopper' })
    const outcome = await settle(order, 500).then(
      (r) => r.data,
      (e) => e,
    )
    expect(by).not.toContain('grace')
    expect(outcome).toMatchObject({ name: 'SessionError', code: 'session_expired' })
  })

  it('a 401 refreshes once and retries once; a second 401 reaches the caller untouched', async () => {
    const keeper = await signedIn()
    server.use(
      mswHttp.get(`${API}/api/always-401`, () =>
        HttpResponse.json({ error: 'nope' }, { status: 401 }),
      ),
    )
    const error = await settle(keeper.http.get('/api/always-401')).catch((e) => e)
    expect(error.isAxiosError).toBe(true)
    expect(error.response.status).toBe(401)
    expect(api().counts.refresh).toBe(1)
    expect(responses.to('/api/always-401')).toHaveLength(2)
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('a server that forgot the session: one refresh, rejected, one logout, waiting requests get session_expired', async () => {
    const keeper = await signedIn()
    const events = recordEvents(keeper)
    api().restart({ keepSessions: false })
    const errors = await settle(
      Promise.all(Array.from({ length: 5 }, () => keeper.http.get('/api/data').catch((e) => e))),
    )
    expect(errors.every((e) => e.name === 'SessionError' && e.code === 'session_expired')).toBe(
      true,
    )
    expect(api().counts.refresh).toBe(1)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'refresh-rejected' })
    expect(events.filter((e) => e.type === 'loggedOut')).toEqual([
      { type: 'loggedOut', reason: 'refresh-rejected' },
    ])
    // nothing keeps calling afterwards
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(api().counts.refresh).toBe(1)
  })

  it('refresh rejected on an expired token: every waiting request rejects with session_expired', async () => {
    const keeper = await signedIn()
    api().revokeAll()
    sleep(TTL + 1)
    const errors = await settle(
      Promise.all([1, 2, 3].map(() => keeper.http.get('/api/data').catch((e) => e))),
    )
    expect(errors.map((e) => e.code)).toEqual([
      'session_expired',
      'session_expired',
      'session_expired',
    ])
    expect(api().counts.data).toBe(0)
    expect(api().counts.refresh).toBe(1)
  })

  it('403 and other API errors pass through untouched, with no refresh', async () => {
    const keeper = await signedIn()
    server.use(
      mswHttp.get(`${API}/api/forbidden`, () =>
        HttpResponse.json({ error: 'forbidden' }, { status: 403 }),
      ),
      mswHttp.post(`${API}/api/orders`, () =>
        HttpResponse.json({ error: 'boom' }, { status: 500 }),
      ),
    )
    const forbidden = await settle(keeper.http.get('/api/forbidden')).catch((e) => e)
    expect(forbidden.response.status).toBe(403)
    expect(forbidden.response.data).toEqual({ error: 'forbidden' })
    const failed = await settle(keeper.http.post('/api/orders', { qty: 1 })).catch((e) => e)
    expect(failed.response.status).toBe(500)
    // a non-idempotent request is never replayed after a server error
    expect(responses.to('/api/orders')).toHaveLength(1)
    expect(api().counts.refresh).toBe(0)
  })

  it('replays a POST only after a 401 (the server refused before acting)', async () => {
    const keeper = await signedIn()
    let calls = 0
    server.use(
      mswHttp.post(`${API}/api/orders`, () =>
        ++calls === 1
          ? HttpResponse.json({}, { status: 401 })
          : HttpResponse.json({ ok: true }, { status: 201 }),
      ),
    )
    const res = await settle(keeper.http.post('/api/orders', { qty: 1 }))
    expect(res.status).toBe(201)
    expect(calls).toBe(2)
    expect(api().counts.refresh).toBe(1)
  })

  it('auth endpoints are never refreshed-for or retried', async () => {
    const keeper = await signedIn()
    const error = await settle(keeper.login({ username: 'ada', password: 'bad' })).catch((e) => e)
    expect(error.code).toBe('invalid_credentials')
    expect(api().counts.refresh).toBe(0)
    expect(api().counts.login).toBe(1)
  })

  it('skipAuth sends a request as it is', async () => {
    const keeper = await signedIn()
    const error = await settle(keeper.http.get('/api/data', { skipAuth: true })).catch((e) => e)
    expect(error.response.status).toBe(401)
    expect(responses.to('/api/data')[0]!.bearer).toBeNull()
    expect(api().counts.refresh).toBe(0)
  })
})

describe('transient refresh failures', () => {
  it.each([503, 429, 'network'] as const)(
    'refresh %s: the session is kept, retried with 1 s doubling backoff, no logout before expiry',
    async (failure) => {
      const keeper = await signedIn({
        environment: {
          window: null,
          document: null,
          openChannel: null,
          locks: null,
          random: () => 1,
        },
      })
      const events = recordEvents(keeper)
      api().failNext('refresh', failure, 4)
      await vi.advanceTimersByTimeAsync(TTL - 60_000) // proactive refresh fails
      expect(api().counts.refresh).toBe(1)
      const delays: number[] = []
      for (const e of events) if (e.type === 'refreshFailed') delays.push(e.retryInMs as number)
      expect(delays).toEqual([1_000])
      await vi.advanceTimersByTimeAsync(1_000 + 2_000 + 4_000 + 8_000)
      expect(api().counts.refresh).toBe(5)
      const all = events.filter((e) => e.type === 'refreshFailed').map((e) => e.retryInMs)
      expect(all).toEqual([1_000, 2_000, 4_000, 8_000])
      expect(events.at(-1)).toMatchObject({ type: 'refreshed' })
      expect(keeper.getSnapshot().status).toBe('authenticated')
      expect(events.some((e) => e.type === 'loggedOut')).toBe(false)
      // the errors carry no raw axios error or token
      expect(JSON.stringify(events)).not.toMatch(/eyJ|config|headers/)
    },
  )

  it('backoff caps at 60 s with jitter in the upper half, and never hot-loops during a long outage', async () => {
    const keeper = await signedIn({ idleTimeout: false })
    const events = recordEvents(keeper)
    api().failNext('refresh', 503, 1_000)
    await vi.advanceTimersByTimeAsync(60 * 60_000) // an hour down
    const delays = events
      .filter((e) => e.type === 'refreshFailed')
      .map((e) => e.retryInMs as number)
    // 1 s doubling to the 60 s cap, each delay in its upper half: 60 to 90 calls in an hour
    expect(api().counts.refresh).toBeLessThanOrEqual(90)
    expect(api().counts.refresh).toBeGreaterThanOrEqual(60)
    for (const [i, d] of delays.entries()) {
      const ceiling = Math.min(60_000, 1_000 * 2 ** i)
      expect(d).toBeGreaterThanOrEqual(ceiling / 2)
      expect(d).toBeLessThanOrEqual(ceiling)
    }
    // an outage is no reason to log out
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('a request while backing off uses the still-valid token; one past expiry gets refresh_unavailable', async () => {
    const keeper = await signedIn()
    api().failNext('refresh', 503, 100)
    await vi.advanceTimersByTimeAsync(TTL - 60_000 + 10)
    expect((await settle(keeper.http.get('/api/data'))).status).toBe(200)
    sleep(70_000)
    const error = await settle(keeper.http.get('/api/data'), 100).catch((e) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 'refresh_unavailable' })
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it.each(['online', 'visibilitychange'])(
    'a refresh backing off is retried at once on %s',
    async (type) => {
      const win = new EventTarget()
      const doc = Object.assign(new EventTarget(), { visibilityState: 'visible' })
      const keeper = await signedIn({
        idleTimeout: false,
        environment: {
          window: win,
          document: doc,
          openChannel: null,
          locks: null,
          random: () => 1,
        },
      })
      api().failNext('refresh', 'network', 10)
      // attempts at 0, +1, +3, +7, +15 and +31 s; the next would be 32 s later
      await vi.advanceTimersByTimeAsync(TTL - 60_000 + 31_000 + 1_000)
      expect(api().counts.refresh).toBe(6)
      ;(type === 'online' ? win : doc).dispatchEvent(new Event(type))
      await pass(100)
      expect(api().counts.refresh).toBe(7)
      expect(keeper.getSnapshot().status).toBe('authenticated')
    },
  )

  it('a 200 with a malformed body persists nothing and counts as transient', async () => {
    const storage = new MemoryStorage()
    const keeper = await signedIn({ storage })
    const stored = storage.getItem('session-keeper')
    server.use(mswHttp.post(`${API}/api/auth/refresh`, () => HttpResponse.json({ hello: 'world' })))
    const events = recordEvents(keeper)
    const error = await settle(keeper.refresh()).catch((e) => e)
    expect(error.code).toBe('refresh_unavailable')
    expect(storage.getItem('session-keeper')).toBe(stored)
    expect(events[0]).toMatchObject({ type: 'refreshFailed', retryInMs: expect.any(Number) })
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('a refresh that times out (10 s) is transient', async () => {
    const keeper = await signedIn()
    api().setLatency('refresh', 15_000)
    const error = await settle(keeper.refresh(), 1_000).catch((e) => e)
    expect(error.code).toBe('refresh_unavailable')
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })
})

describe('clocks and tokens', () => {
  it.each([+3600_000, -3600_000])(
    'a client clock off by %i ms causes no refresh loop',
    async (skew) => {
      vi.setSystemTime(Date.now() + skew)
      const keeper = makeKeeper()
      keeper.start()
      // the server keeps true time
      const serverApi = api()
      void serverApi
      await settle(keeper.login(ADA))
      api().resetCounts()
      for (let i = 0; i < 20; i++) await settle(keeper.http.get('/api/data'))
      expect(api().counts.refresh).toBe(0)
      // once per (lifetime - margin), as with a true clock: no loop
      await vi.advanceTimersByTimeAsync(TTL * 5)
      expect(api().counts.refresh).toBe((TTL * 5) / (TTL - 60_000))
    },
  )

  it('works with opaque tokens and expires_in as a numeric string', async () => {
    server.use(
      mswHttp.post(`${API}/api/auth/login`, () =>
        HttpResponse.json({
          token: 'opaque-1',
          refreshToken: 'r-1',
          expiresIn: '120',
          user: { username: 'o' },
        }),
      ),
      mswHttp.post(`${API}/api/auth/refresh`, () =>
        HttpResponse.json({ token: 'opaque-2', expiresIn: '120' }),
      ),
      mswHttp.get(`${API}/api/opaque`, ({ request }) =>
        HttpResponse.json({ auth: request.headers.get('authorization') }),
      ),
    )
    const keeper = makeKeeper()
    keeper.start()
    await settle(keeper.login({}))
    const snap = keeper.getSnapshot()
    expect(snap).toMatchObject({ status: 'authenticated', expiresAt: Date.now() + 120_000 })
    expect((await settle(keeper.http.get('/api/opaque'))).data.auth).toBe('Bearer opaque-1')
    await vi.advanceTimersByTimeAsync(61_000)
    expect((await settle(keeper.http.get('/api/opaque'))).data.auth).toBe('Bearer opaque-2')
  })

  /** A server that signs in with an access token only (`refresh_token` is optional). */
  const tokenOnlyLogin = mswHttp.post(`${API}/api/auth/login`, () =>
    HttpResponse.json({ access_token: 'only-access', expires_in: 600, user: { username: 'o' } }),
  )

  it('a sign-in with no refresh token (refresh_token is optional) lasts until its token expires, then ends as expired, with no refresh call', async () => {
    server.use(
      tokenOnlyLogin,
      mswHttp.get(`${API}/api/opaque`, ({ request }) =>
        HttpResponse.json({ auth: request.headers.get('authorization') }),
      ),
    )
    const keeper = makeKeeper()
    keeper.start()
    await settle(keeper.login({}))
    api().resetCounts()
    // within the refresh margin (60 s before expiry) the token is still good: the user stays
    await pass(570_000)
    expect(keeper.getSnapshot().status).toBe('authenticated')
    expect((await settle(keeper.http.get('/api/opaque'))).data.auth).toBe('Bearer only-access')
    // there is nothing to refresh with: no refresh call, and the session ends at expiry as expired
    await pass(40_000)
    expect(api().counts.refresh).toBe(0)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'expired' })
  })

  it('a sign-in with no refresh token is not signed out by a 401 from the API: there is nothing to refresh with', async () => {
    server.use(
      tokenOnlyLogin,
      mswHttp.get(`${API}/api/admin`, () => HttpResponse.json({ error: 'nope' }, { status: 401 })),
    )
    const keeper = makeKeeper()
    keeper.start()
    await settle(keeper.login({}))
    api().resetCounts()
    const error = await settle(keeper.http.get('/api/admin')).catch((e) => e)
    expect(error.response?.status).toBe(401) // the caller gets the 401…
    expect(api().counts.refresh).toBe(0) // …with no tokenless refresh the server must refuse
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', user: { username: 'o' } })
  })
})

describe('origin scoping', () => {
  it('never sends the token or credentials outside the API base', async () => {
    const keeper = await signedIn()
    const seen: Record<string, string | null> = {}
    const capture =
      (name: string) =>
      ({ request }: { request: Request }) => {
        seen[name] = request.headers.get('authorization')
        return HttpResponse.json({})
      }
    server.use(
      mswHttp.get('https://evil.test/steal', capture('other origin')),
      mswHttp.get('http://api.test.evil.test/x', capture('lookalike host')),
      mswHttp.get('https://api.test/x', capture('https variant')),
      mswHttp.get('http://api.test:8080/x', capture('other port')),
      mswHttp.get('http://evil.test/userinfo', capture('userinfo trick')),
      mswHttp.get(`${API}/api/inside`, capture('inside')),
    )
    await settle(keeper.http.get('http://api.test@evil.test/userinfo'))
    await settle(keeper.http.get('https://evil.test/steal'))
    await settle(keeper.http.get('//evil.test/steal').catch(() => {}))
    await settle(keeper.http.get('http://api.test.evil.test/x'))
    await settle(keeper.http.get('https://api.test/x'))
    await settle(keeper.http.get('http://api.test:8080/x'))
    await settle(keeper.http.get('/api/inside'))
    expect(seen).toEqual({
      'other origin': null,
      'lookalike host': null,
      'https variant': null,
      'other port': null,
      'userinfo trick': expect.not.stringMatching(/^Bearer /), // axios's own Basic from the URL
      inside: expect.stringMatching(/^Bearer /),
    })
  })

  it('with a path prefix, only requests under it are authorised', async () => {
    const auth = { login: '/auth/login', refresh: '/auth/refresh', logout: '/auth/logout' }
    const keeper = makeKeeper({ baseURL: `${API}/api`, endpoints: auth })
    keeper.start()
    const seen: string[] = []
    server.use(
      mswHttp.get(`${API}/apix/data`, ({ request }) => {
        seen.push(`apix ${request.headers.get('authorization')}`)
        return HttpResponse.json({})
      }),
    )
    await settle(keeper.login(ADA))
    await settle(keeper.http.get(`${API}/apix/data`))
    // a dot segment leaves the prefix once the URL is resolved
    await settle(keeper.http.get(`${API}/api/../apix/data`))
    await settle(keeper.http.get(`${API}/api/%2e%2e/apix/data`))
    expect(seen).toEqual(['apix null', 'apix null', 'apix null'])
    expect((await settle(keeper.http.get('/data'))).data.user).toBe('ada')
  })
})

describe('the gate sits in the adapter', () => {
  const bearerOf = (res: { data: { auth?: string } }) => res.data.auth
  beforeEach(() => {
    server.use(
      mswHttp.get(`${API}/api/echo`, ({ request }) =>
        HttpResponse.json({ auth: request.headers.get('authorization') }),
      ),
      mswHttp.get('https://other.test/api/echo', ({ request }) =>
        HttpResponse.json({ auth: request.headers.get('authorization') }),
      ),
    )
  })

  it("a request with an adapter of its own, or after the app replaced the instance's, is signed all the same", async () => {
    const keeper = await signedIn()
    const signed = /^Bearer ey/
    // the same adapter axios would pick, handed over by name on one request
    expect(bearerOf(await settle(keeper.http.get('/api/echo', { adapter: 'fetch' })))).toMatch(
      signed,
    )
    keeper.http.defaults.adapter = 'fetch'
    expect(bearerOf(await settle(keeper.http.get('/api/echo')))).toMatch(signed)
    expect(bearerOf(await settle(keeper.http.get('https://other.test/api/echo')))).toBeNull()
  })

  it('the same path under another base URL is judged by its own origin', async () => {
    const keeper = await signedIn()
    // the first answer for '/api/echo' must not be reused for another base
    expect(bearerOf(await settle(keeper.http.get('/api/echo')))).toMatch(/^Bearer /)
    const elsewhere = await settle(keeper.http.get('/api/echo', { baseURL: 'https://other.test' }))
    expect(bearerOf(elsewhere)).toBeNull()
  })

  it('stop() gives the instance its adapter back, and leaves one the app set after start', async () => {
    const keeper = makeKeeper()
    const original = keeper.http.defaults.adapter
    const stop = keeper.start()
    expect(keeper.http.defaults.adapter).not.toBe(original)
    stop()
    expect(keeper.http.defaults.adapter).toBe(original)
    const stop2 = keeper.start()
    const mine = vi.fn()
    keeper.http.defaults.adapter = mine
    stop2()
    expect(keeper.http.defaults.adapter).toBe(mine)
    keeper.destroy()
  })
})

describe('absolute timeout', () => {
  it('no refresh extends a session past absoluteTimeout', async () => {
    const keeper = await signedIn({ absoluteTimeout: 10 * 60_000, idleTimeout: false })
    const events = recordEvents(keeper)
    await vi.advanceTimersByTimeAsync(10 * 60_000)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'absolute-timeout' })
    expect(api().counts.refresh).toBeGreaterThanOrEqual(6)
    expect(events.filter((e) => e.type === 'loggedOut')).toEqual([
      { type: 'loggedOut', reason: 'absolute-timeout' },
    ])
  })
})
