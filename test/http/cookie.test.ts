import { http as mswHttp, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { SessionKeeperOptions } from '../../src/index.js'
import {
  API,
  ADA,
  MemoryStorage,
  recordEvents,
  recordResponses,
  pass,
  settle,
  useMockApi,
  type User,
} from '../harness.js'
import { browser } from '../tabs.js'

const TTL = 120_000
const { server, api, makeKeeper } = useMockApi({ accessTtlMs: TTL, credentials: 'cookie' })
beforeEach(() => void vi.useFakeTimers())

/**
 * Node's axios keeps no cookies; a browser does. This jar plays the browser's part for the API
 * origin, shared by every keeper of a test like the tabs of one browser.
 */
let jar = new Map<string, string>()
beforeEach(() => void (jar = new Map()))

function cookieKeeper(storage = new MemoryStorage(), options: SessionKeeperOptions<User> = {}) {
  const keeper = makeKeeper({ credentials: 'cookie', secret: undefined, storage, ...options })
  keeper.http.interceptors.request.use((config) => {
    if (jar.size && /^(\/[^/]|http:\/\/api\.test\/)/.test(String(config.url)))
      config.headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '))
    return config
  })
  const store = (headers: Record<string, unknown> | undefined) => {
    for (const line of (headers?.['set-cookie'] as string[] | undefined) ?? []) {
      const [pair, ...attrs] = line.split(';')
      const [name, value] = pair!.split('=') as [string, string]
      if (attrs.some((a) => /max-age=0/i.test(a.trim()))) jar.delete(name.trim())
      else jar.set(name.trim(), value)
    }
  }
  keeper.http.interceptors.response.use(
    (r) => (store(r.headers as never), r),
    (e) => {
      store(e.response?.headers)
      throw e
    },
  )
  return keeper
}

describe("credentials: 'cookie'", () => {
  it('persists no token, keeps the access token in memory and refreshes by cookie', async () => {
    const storage = new MemoryStorage()
    const keeper = cookieKeeper(storage)
    keeper.start()
    const withCreds: boolean[] = []
    keeper.http.interceptors.response.use((r) => (withCreds.push(!!r.config.withCredentials), r))
    await settle(keeper.login(ADA))
    api().resetCounts() // the start-up check asked verify and refresh, with no cookie yet
    expect(keeper.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada' },
    })
    // the timeline only (since when, last active when): no token, no user
    const stored = JSON.parse(storage.getItem('session-keeper')!.replace(/^sk0\./, ''))
    expect(stored).toMatchObject({ accessToken: null, refreshToken: null, user: null })
    expect(stored.startedAt).toEqual(expect.any(Number))
    expect((await settle(keeper.http.get('/api/data'))).data.user).toBe('ada')
    vi.setSystemTime(Date.now() + TTL + 1)
    expect((await settle(keeper.http.get('/api/data'))).data.user).toBe('ada')
    expect(api().counts.refresh).toBe(1)
    expect(withCreds.every(Boolean)).toBe(true)
  })

  it('a new page restores the user through verify (loading until it answers)', async () => {
    const first = cookieKeeper()
    first.start()
    await settle(first.login(ADA))
    const reloaded = cookieKeeper()
    reloaded.start()
    expect(reloaded.getSnapshot()).toEqual({ status: 'loading' })
    await pass(1000)
    expect(reloaded.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada' },
    })
    // its first API call gets a 401 (no access token in memory), refreshes by cookie, retries
    expect((await settle(reloaded.http.get('/api/data'))).data.user).toBe('ada')
  })

  it('with no cookie, loading ends unauthenticated', async () => {
    const keeper = cookieKeeper()
    keeper.start()
    await pass(1000)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
  })

  it('logout() while the start-up check is in flight (a /logout page opened directly) signs the user out, here and at the server', async () => {
    const first = cookieKeeper()
    first.start()
    await settle(first.login(ADA))
    first.destroy() // the page closes; the browser keeps its refresh cookie
    const page = cookieKeeper()
    page.start()
    expect(page.getSnapshot()).toEqual({ status: 'loading' })
    const out = page.logout()
    await pass(1000)
    await out
    // the start-up check answering afterwards must not sign the user back in
    expect(page.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    expect(api().counts.logout).toBe(1)
    expect(jar.has('sk_refresh')).toBe(false)
  })

  it('a request sent while the start-up check is in flight is answered for the restored user, not with a 401', async () => {
    const first = cookieKeeper()
    first.start()
    await settle(first.login(ADA))
    first.destroy()
    const page = cookieKeeper()
    page.start()
    expect(page.getSnapshot()).toEqual({ status: 'loading' })
    // the app fetches its data on mount, as apps do, before the check has answered
    const answer = page.http.get('/api/data').then(
      (r) => r.data.user,
      (e) => e.response?.status,
    )
    await pass(1000)
    expect(page.getSnapshot()).toMatchObject({ status: 'authenticated' })
    expect(await answer).toBe('ada')
  })

  it('a network failure at start still ends loading', async () => {
    api().failNext('verify', 'network')
    const keeper = cookieKeeper()
    keeper.start()
    await pass(1000)
    expect(keeper.getSnapshot().status).toBe('unauthenticated')
  })

  it('a page loaded during a server outage gets its session back when the server answers', async () => {
    const first = cookieKeeper()
    first.start()
    await settle(first.login(ADA))
    api().resetCounts()
    api().failNext('verify', 503, 3)
    const reloaded = cookieKeeper()
    const events = recordEvents(reloaded)
    reloaded.start()
    await pass(400)
    // loading is bounded: the app can show its signed-out page meanwhile
    expect(reloaded.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    // retried with backoff (at most 1 + 2 + 4 s): no reload needed
    await pass(8_000)
    expect(reloaded.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada' },
    })
    expect(events.map((e) => e.type)).toEqual(['synced'])
    expect(api().counts.verify).toBe(4)
  })

  it('a server that answers "no session" at start is not asked again', async () => {
    const keeper = cookieKeeper()
    keeper.start()
    await pass(10 * 60_000)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    expect(api().counts).toMatchObject({ verify: 1, refresh: 1 })
  })

  it('a 200 verify that says valid: false is no session', async () => {
    server.use(mswHttp.get(`${API}/api/auth/verify`, () => HttpResponse.json({ valid: false })))
    const keeper = cookieKeeper()
    keeper.start()
    await pass(1000)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    expect(api().counts.refresh).toBe(1)
  })

  it('a start-up check that failed is asked again at once when the browser comes online', async () => {
    const win = new EventTarget()
    const first = cookieKeeper()
    first.start()
    await settle(first.login(ADA))
    api().failNext('verify', 'network')
    const reloaded = cookieKeeper(new MemoryStorage(), {
      environment: { window: win, document: null, openChannel: null, locks: null, random: () => 1 },
    })
    reloaded.start()
    await pass(100)
    expect(reloaded.getSnapshot().status).toBe('unauthenticated')
    win.dispatchEvent(new Event('online'))
    await pass(100) // the backoff alone would wait a whole second
    expect(reloaded.getSnapshot().status).toBe('authenticated')
  })

  it('an unmounted keeper stops asking, and asks again when mounted', async () => {
    api().failNext('verify', 'network', 100)
    const keeper = cookieKeeper()
    const stop = keeper.start()
    await pass(100)
    stop()
    await pass(10 * 60_000)
    expect(api().counts.verify).toBe(1)
    keeper.start()
    await pass(100)
    expect(api().counts.verify).toBe(2)
    keeper.destroy()
    await pass(10 * 60_000)
    expect(api().counts.verify).toBe(2)
  })

  it.each([
    ['idle', { idleTimeout: 120_000, idleWarning: 30_000 }],
    ['absolute-timeout', { absoluteTimeout: 60_000 }],
  ] as const)(
    'an %s logout is not undone by a reload: the server cookie is gone',
    async (reason, extra) => {
      const keeper = cookieKeeper(new MemoryStorage(), extra)
      keeper.start()
      await settle(keeper.login(ADA))
      await vi.advanceTimersByTimeAsync(120_000)
      expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason })
      await pass(100)
      const reloaded = cookieKeeper(new MemoryStorage(), extra)
      reloaded.start()
      await pass(1000)
      expect(reloaded.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    },
  )

  describe('a sign-out the server did not hear', () => {
    async function signedOutOffline(storage: MemoryStorage, times = 1) {
      const keeper = cookieKeeper(storage)
      keeper.start()
      await settle(keeper.login(ADA))
      api().failNext('logout', 'network', times)
      await settle(keeper.logout())
      expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
      api().resetCounts()
    }

    it('is said again by the next page before it trusts the cookie', async () => {
      const storage = new MemoryStorage()
      await signedOutOffline(storage)
      const reloaded = cookieKeeper(storage)
      reloaded.start()
      await pass(1000)
      expect(reloaded.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
      expect(api().counts).toMatchObject({ logout: 1, verify: 0, refresh: 0 })
      // the server has cleared its cookie now: no page signs back in
      const later = cookieKeeper(new MemoryStorage())
      later.start()
      await pass(1000)
      expect(later.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    })

    it('keeps the next page signed out while the server stays unreachable, and says it when it can', async () => {
      const storage = new MemoryStorage()
      await signedOutOffline(storage, 4) // the sign-out itself, then the next page's first 3 tries
      const reloaded = cookieKeeper(storage)
      reloaded.start()
      await pass(1000)
      expect(reloaded.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
      await pass(30_000) // retried with backoff: 1 + 2 + 4 + 8 s at most
      expect(api().counts).toMatchObject({ logout: 4, verify: 0 })
      expect(reloaded.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
      const later = cookieKeeper(storage)
      later.start()
      await pass(1000)
      expect(later.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
      expect(api().counts.logout).toBe(4) // heard once: nothing left to repeat
    })

    it('is dropped by a new sign-in, whose cookie replaced the old one', async () => {
      const storage = new MemoryStorage()
      await signedOutOffline(storage, 2) // the next page cannot say it either
      const again = cookieKeeper(storage)
      again.start()
      await pass(100)
      expect(api().counts.logout).toBe(1)
      await settle(again.login(ADA))
      const reloaded = cookieKeeper(storage)
      reloaded.start()
      await pass(1000)
      expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated' })
    })
  })

  it('setSession is a config error: the server keeps the tokens', () => {
    const keeper = cookieKeeper()
    keeper.start()
    expect(() => keeper.setSession({ accessToken: 'a.b.c' })).toThrow(
      expect.objectContaining({ name: 'SessionError', code: 'config' }),
    )
  })

  it('sends credentials to the API origin only', async () => {
    const keeper = cookieKeeper()
    keeper.start()
    await settle(keeper.login(ADA))
    const responses = recordResponses(server)
    server.use(mswHttp.get('https://cdn.test/x', () => HttpResponse.json({})))
    const configs: Array<[string, boolean]> = []
    keeper.http.interceptors.response.use(
      (r) => (configs.push([String(r.config.url), !!r.config.withCredentials]), r),
    )
    await settle(keeper.http.get('https://cdn.test/x'))
    await settle(keeper.http.get('/api/data'))
    expect(configs).toEqual([
      ['https://cdn.test/x', false],
      ['/api/data', true],
    ])
    expect(responses.to('/x')[0]!.bearer).toBeNull()
    responses.stop()
  })

  it('logout ends the session and clears the server cookie', async () => {
    const keeper = cookieKeeper()
    keeper.start()
    await settle(keeper.login(ADA))
    await settle(keeper.logout())
    const again = cookieKeeper()
    again.start()
    await pass(1000)
    expect(again.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    void API
  })
})

describe('cookie mode: the timeline survives reloads and closed tabs', () => {
  it('absoluteTimeout counts from sign-in, not from each page load', async () => {
    const storage = new MemoryStorage()
    const first = cookieKeeper(storage, { absoluteTimeout: 60_000, idleTimeout: false })
    first.start()
    await settle(first.login(ADA))
    first.destroy()
    vi.setSystemTime(Date.now() + 40_000)
    const reloaded = cookieKeeper(storage, { absoluteTimeout: 60_000, idleTimeout: false })
    reloaded.start()
    await pass(1000)
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated' })
    expect(reloaded.getDeadlines().absoluteLogoutAt).toBeLessThanOrEqual(Date.now() + 20_000)
    await pass(20_000)
    expect(reloaded.getSnapshot()).toEqual({
      status: 'unauthenticated',
      reason: 'absolute-timeout',
    })
  })

  it('a page opened after the idle deadline, every tab closed, starts signed out as idle and tells the server', async () => {
    const storage = new MemoryStorage()
    const first = cookieKeeper(storage, { idleTimeout: 60_000 })
    first.start()
    await settle(first.login(ADA))
    first.destroy() // every tab closed
    vi.setSystemTime(Date.now() + 2 * 3_600_000)
    api().resetCounts()
    const later = cookieKeeper(storage, { idleTimeout: 60_000 })
    const events = recordEvents(later)
    later.start()
    await pass(1000)
    expect(later.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
    expect(events).toContainEqual({ type: 'loggedOut', reason: 'idle' })
    expect(api().counts).toMatchObject({ logout: 1, verify: 0 })
    // the server forgot the session: the next page does not sign back in
    const next = cookieKeeper(storage, { idleTimeout: 60_000 })
    next.start()
    await pass(1000)
    expect(next.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
  })

  it('activity in the last open tab counts for the next page', async () => {
    const storage = new MemoryStorage()
    const first = cookieKeeper(storage, { idleTimeout: 60_000 })
    first.start()
    await settle(first.login(ADA))
    for (let i = 0; i < 4; i++) {
      await pass(20_000)
      first.touch()
    }
    first.destroy()
    vi.setSystemTime(Date.now() + 30_000) // 110 s since sign-in, 30 s since the last activity
    const reloaded = cookieKeeper(storage, { idleTimeout: 60_000 })
    reloaded.start()
    await pass(1000)
    expect(reloaded.getSnapshot()).toMatchObject({ status: 'authenticated' })
  })
})

describe('cookie mode: tabs', () => {
  const tabs = (b: ReturnType<typeof browser>) =>
    [b.tab(), b.tab()].map((t) => {
      const keeper = cookieKeeper(t.options.storage as never, t.options)
      keeper.start()
      return keeper
    }) as [ReturnType<typeof cookieKeeper>, ReturnType<typeof cookieKeeper>]
  const userOf = (k: ReturnType<typeof cookieKeeper>) => {
    const s = k.getSnapshot()
    return s.status === 'authenticated' ? s.user?.username : s.status
  }

  it('with storage late, a tab joins the sign-in another tab announced: its sign-out ends both', async () => {
    const [a, other] = tabs(browser({ storageLagMs: 40 }))
    await settle(a.login(ADA))
    await pass(1000)
    expect(userOf(other)).toBe('ada')
    await settle(a.logout())
    await pass(1000)
    expect(other.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
  })

  it('a sign-in waits for a refresh in flight in another tab, whose answer would clear the new cookie', async () => {
    const [a, other] = tabs(browser())
    await settle(a.login(ADA))
    await pass(1000)
    api().setLatency('refresh', 3_000)
    const refreshing = other.refresh().catch(() => {}) // sent with Ada's cookie
    await vi.advanceTimersByTimeAsync(100)
    void a.logout() // "switch account"
    await settle(a.login({ username: 'grace', password: 'hopper' }), 50, 200)
    await settle(refreshing, 50, 200)
    api().setLatency('refresh', 0)
    await pass(1000)
    // the browser's cookie is Grace's: every tab is on her, and refreshes keep working
    await settle(a.refresh())
    await settle(other.refresh())
    await pass(1000)
    expect([userOf(a), userOf(other)]).toEqual(['grace', 'grace'])
  })

  it('after each tab refreshed its own token, a sign-out in one ends the other as a sign-out', async () => {
    const b = browser()
    const [a, other] = [b.tab(), b.tab()].map((t) => {
      const keeper = cookieKeeper(t.options.storage as never, t.options)
      keeper.start()
      return keeper
    })
    await settle(a!.login(ADA))
    await pass(1000)
    expect(other!.getSnapshot()).toMatchObject({ status: 'authenticated' })
    // each tab holds its own access token and refreshes it itself
    await settle(a!.refresh())
    await settle(other!.refresh())
    await settle(a!.refresh())
    await settle(other!.logout())
    await pass(1000)
    expect(a!.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
  })
})
