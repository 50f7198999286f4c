import { http as mswHttp, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ADA, API, MemoryStorage, recordEvents, pass, settle, useMockApi } from '../harness.js'
import { browser } from '../tabs.js'

const INTERVAL = 300_000 // the default: 5 min
const { server, api, makeKeeper } = useMockApi() // access tokens: 15 min
beforeEach(() => void vi.useFakeTimers())

async function signedIn(opts: Parameters<typeof makeKeeper>[0] = {}) {
  const keeper = makeKeeper({ healthInterval: INTERVAL, idleTimeout: false, ...opts })
  keeper.start()
  await settle(keeper.login(ADA))
  api().resetCounts()
  return keeper
}

describe('token-health poller', () => {
  it('makes no health call at sign-in: the first comes one interval later', async () => {
    const keeper = makeKeeper({ healthInterval: INTERVAL, idleTimeout: false })
    keeper.start()
    await settle(keeper.login(ADA))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(api().counts.health).toBe(0)
  })

  it('polls every interval (with at most 10 % jitter) while signed in, and reports each check', async () => {
    const keeper = await signedIn()
    const events = recordEvents(keeper)
    await vi.advanceTimersByTimeAsync(INTERVAL - 1)
    expect(api().counts.health).toBe(0)
    await vi.advanceTimersByTimeAsync(INTERVAL * 0.1 + 1)
    expect(api().counts.health).toBe(1)
    await vi.advanceTimersByTimeAsync(INTERVAL * 3)
    expect(api().counts.health).toBeGreaterThanOrEqual(3)
    expect(api().counts.health).toBeLessThanOrEqual(4)
    expect(events.find((e) => e.type === 'healthChecked')).toEqual({
      type: 'healthChecked',
      health: { compatible: true, authenticated: true, token_version: 1, server_version: 1 },
    })
  })

  it('a secret rotation that keeps the old key changes nothing for the user', async () => {
    const keeper = await signedIn()
    const events = recordEvents(keeper)
    api().rotateSecret({ keepOld: true })
    await vi.advanceTimersByTimeAsync(INTERVAL * 6)
    expect(keeper.getSnapshot().status).toBe('authenticated')
    expect((await settle(keeper.http.get('/api/data'))).status).toBe(200)
    expect(events.some((e) => e.type === 'loggedOut')).toBe(false)
  })

  it('a rotation that drops the old key ends the session as incompatible within one interval, with no loop', async () => {
    const keeper = await signedIn()
    const events = recordEvents(keeper)
    api().rotateSecret({ keepOld: false })
    await vi.advanceTimersByTimeAsync(INTERVAL * 1.1)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'incompatible' })
    expect(events.filter((e) => e.type === 'loggedOut')).toEqual([
      { type: 'loggedOut', reason: 'incompatible' },
    ])
    expect(events.find((e) => e.type === 'healthChecked')).toMatchObject({
      health: { compatible: false, token_version: 1, server_version: 2 },
    })
    await vi.advanceTimersByTimeAsync(INTERVAL * 10)
    expect(api().counts).toMatchObject({ health: 1, refresh: 0, data: 0 })
  })

  it('a dropped key met by an API call before the next poll also ends as incompatible, not as a generic refusal', async () => {
    const keeper = await signedIn()
    const events = recordEvents(keeper)
    api().rotateSecret({ keepOld: false })
    const error = await settle(keeper.http.get('/api/data')).catch((e) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 'session_expired' })
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'incompatible' })
    expect(events.filter((e) => e.type === 'loggedOut')).toEqual([
      { type: 'loggedOut', reason: 'incompatible' },
    ])
    await vi.advanceTimersByTimeAsync(INTERVAL * 12) // an hour: nothing more is called
    expect(api().counts).toMatchObject({ data: 1, refresh: 1, health: 1 })
  })

  it('with polling off, a refused refresh asks nothing more and ends as refresh-rejected', async () => {
    const keeper = await signedIn({ healthInterval: false })
    api().rotateSecret({ keepOld: false })
    await settle(keeper.http.get('/api/data')).catch(() => {})
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'refresh-rejected' })
    expect(api().counts).toMatchObject({ data: 1, refresh: 1, health: 0 })
  })

  it('a restart that forgot its sessions: one refresh attempt, one clean logout, no stream of failing calls', async () => {
    const keeper = await signedIn()
    const events = recordEvents(keeper)
    api().restart({ keepSessions: false })
    const error = await settle(keeper.http.get('/api/data')).catch((e) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 'session_expired' })
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'refresh-rejected' })
    await vi.advanceTimersByTimeAsync(INTERVAL * 12) // an hour
    // one health call: asked after the refusal whether the key changed (it did not)
    expect(api().counts).toMatchObject({ refresh: 1, data: 1, health: 1 })
    expect(events.filter((e) => e.type === 'loggedOut')).toHaveLength(1)
  })

  it('revokeAll: the next poll sees authenticated: false, one refresh is refused, the session ends revoked', async () => {
    const keeper = await signedIn()
    api().revokeAll()
    await vi.advanceTimersByTimeAsync(INTERVAL * 1.1)
    await pass(1000) // the answers arrive through I/O turns; the refusal is looked at for 250 ms
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'revoked' })
    expect(api().counts).toMatchObject({ health: 1, refresh: 1 })
  })

  it('a health endpoint down for an hour (5xx and network errors) logs nobody out', async () => {
    const keeper = await signedIn()
    api().failNext('health', 503, 6)
    await vi.advanceTimersByTimeAsync(INTERVAL * 6)
    api().failNext('health', 'network', 100)
    await vi.advanceTimersByTimeAsync(INTERVAL * 6)
    expect(api().counts.health).toBeGreaterThanOrEqual(10)
    expect(keeper.getSnapshot().status).toBe('authenticated')
    await expect(settle(keeper.checkHealth())).rejects.toMatchObject({
      name: 'SessionError',
      code: 'unavailable',
    })
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('checkHealth() runs one check now and resolves to the body', async () => {
    const keeper = await signedIn()
    await expect(settle(keeper.checkHealth())).resolves.toEqual({
      compatible: true,
      authenticated: true,
      token_version: 1,
      server_version: 1,
    })
    expect(api().counts.health).toBe(1)
  })

  it('a health answer about the previous account’s token does not end the account signed in since', async () => {
    const keeper = await signedIn()
    api().setLatency('health', 2_000)
    const check = keeper.checkHealth() // asked with Ada's token
    check.catch(() => {})
    await vi.advanceTimersByTimeAsync(10)
    api().rotateSecret({ keepOld: false }) // a deploy drops the old key: Ada's token is incompatible…
    await keeper.logout()
    await keeper.login({ username: 'grace', password: 'hopper' }) // …Grace's is new
    await settle(check, 500)
    expect(keeper.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'grace' },
    })
  })

  it('polls only in a visible tab; an overdue check runs at once on becoming visible', async () => {
    const doc = Object.assign(new EventTarget(), { visibilityState: 'hidden' })
    const keeper = await signedIn({
      environment: { window: new EventTarget(), document: doc, openChannel: null, locks: null },
    })
    await vi.advanceTimersByTimeAsync(INTERVAL * 4)
    expect(api().counts.health).toBe(0)
    doc.visibilityState = 'visible'
    doc.dispatchEvent(new Event('visibilitychange'))
    await pass(1000)
    expect(api().counts.health).toBe(1)
    void keeper
  })

  it('three tabs make one poll per interval between them', async () => {
    const b = browser()
    const tabs = [b.tab(), b.tab(), b.tab()].map((t) => {
      const keeper = makeKeeper({ ...t.options, healthInterval: INTERVAL, idleTimeout: false })
      keeper.start()
      return keeper
    })
    await settle(tabs[0]!.login(ADA))
    await pass(1000)
    api().resetCounts()
    const seen = tabs.map((k) => recordEvents(k))
    await vi.advanceTimersByTimeAsync(INTERVAL * 10)
    expect(api().counts.health).toBeGreaterThanOrEqual(9)
    expect(api().counts.health).toBeLessThanOrEqual(11)
    // every tab heard about every check
    for (const events of seen)
      expect(events.filter((e) => e.type === 'healthChecked').length).toBe(api().counts.health)
  })

  it('with healthInterval: false it never polls', async () => {
    await signedIn({ healthInterval: false })
    await vi.advanceTimersByTimeAsync(INTERVAL * 10)
    expect(api().counts.health).toBe(0)
  })
})

describe('restore verification', () => {
  it('a reload shows the stored user at once, then one background verify updates it', async () => {
    const storage = new MemoryStorage()
    const first = makeKeeper({ storage })
    await settle(first.login(ADA))
    // the server's view of the user changed meanwhile
    server.use(
      mswHttp.get(`${API}/api/auth/verify`, () =>
        HttpResponse.json({
          valid: true,
          user: { username: 'ada', name: 'Ada, Countess of Lovelace' },
        }),
      ),
    )
    const reloaded = makeKeeper({ storage, verifyOnRestore: true })
    reloaded.start()
    expect(reloaded.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { name: 'Ada Lovelace' },
    })
    await pass(1000)
    expect(reloaded.getSnapshot()).toMatchObject({ user: { name: 'Ada, Countess of Lovelace' } })
  })

  it('a verify 401 goes through the refresh path', async () => {
    const storage = new MemoryStorage()
    await settle(makeKeeper({ storage }).login(ADA))
    let calls = 0
    server.use(
      mswHttp.get(`${API}/api/auth/verify`, () =>
        ++calls === 1
          ? HttpResponse.json({ valid: false }, { status: 401 })
          : HttpResponse.json({ valid: true, user: { username: 'ada' } }),
      ),
    )
    api().resetCounts()
    const reloaded = makeKeeper({ storage, verifyOnRestore: true })
    reloaded.start()
    await pass(1000)
    expect(calls).toBe(2)
    expect(api().counts.refresh).toBe(1)
    expect(reloaded.getSnapshot().status).toBe('authenticated')
  })

  it('a restored session the server no longer knows ends at once, cleanly', async () => {
    const storage = new MemoryStorage()
    await settle(makeKeeper({ storage }).login(ADA))
    api().restart({ keepSessions: false })
    const reloaded = makeKeeper({ storage, verifyOnRestore: true })
    reloaded.start()
    await pass(1000)
    expect(reloaded.getSnapshot()).toEqual({
      status: 'unauthenticated',
      reason: 'refresh-rejected',
    })
  })

  it('three tabs restored together verify once per browser, not per tab', async () => {
    const b = browser()
    const seed = makeKeeper(b.tab().options)
    await settle(seed.login(ADA))
    seed.destroy()
    api().resetCounts()
    const tabs = [b.tab(), b.tab(), b.tab()].map((t) =>
      makeKeeper({ ...t.options, verifyOnRestore: true }),
    )
    for (const k of tabs) k.start()
    await pass(1000)
    expect(api().counts.verify).toBe(1)
    for (const k of tabs) expect(k.getSnapshot().status).toBe('authenticated')
  })
})
