import { beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ADA,
  API,
  MemoryStorage,
  recordEvents,
  recordResponses,
  pass,
  settle,
  useMockApi,
} from '../harness.js'
import { browser, CountingTarget } from '../tabs.js'

const IDLE = 120_000
const WARN = 30_000
const { server, api, makeKeeper } = useMockApi()
beforeEach(() => void vi.useFakeTimers())

function tab(extra: Parameters<typeof makeKeeper>[0] = {}) {
  const window = new CountingTarget()
  const document = Object.assign(new CountingTarget(), { visibilityState: 'visible' })
  const keeper = makeKeeper({
    idleTimeout: IDLE,
    idleWarning: WARN,
    environment: { window, document, openChannel: null, locks: null },
    ...extra,
  })
  return { keeper, window, document }
}

async function signedIn(extra: Parameters<typeof makeKeeper>[0] = {}) {
  const t = tab(extra)
  t.keeper.start()
  await settle(t.keeper.login(ADA))
  return t
}

const move = (target: EventTarget) => target.dispatchEvent(new Event('pointermove'))

describe('idle warning and idle logout', () => {
  it('warns at idleTimeout - idleWarning, then logs out at idleTimeout with reason idle', async () => {
    const { keeper } = await signedIn()
    const start = Date.now()
    const events = recordEvents(keeper)
    await vi.advanceTimersByTimeAsync(IDLE - WARN - 1)
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', idleWarningAt: null })
    await vi.advanceTimersByTimeAsync(1)
    expect(keeper.getSnapshot()).toMatchObject({
      status: 'authenticated',
      idleWarningAt: start + IDLE - WARN,
    })
    expect(events).toEqual([{ type: 'idleWarning', logoutAt: start + IDLE }])
    await vi.advanceTimersByTimeAsync(WARN - 1)
    expect(keeper.getSnapshot().status).toBe('authenticated')
    await vi.advanceTimersByTimeAsync(1)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
    expect(events.at(-1)).toEqual({ type: 'loggedOut', reason: 'idle' })
  })

  it.each([
    ['idle', {}],
    ['absolute-timeout', { absoluteTimeout: IDLE / 2 }],
  ] as const)('an %s logout ends the session on the server too', async (reason, extra) => {
    const { keeper } = await signedIn(extra)
    const responses = recordResponses(server)
    await vi.advanceTimersByTimeAsync(IDLE)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason })
    await pass(100)
    const [logout, ...others] = responses.seen
    expect(others).toEqual([])
    expect(logout).toMatchObject({ path: '/api/auth/logout', status: 204 })
    // the access token it carried (one a copy could still use) is dead on the server now
    const stale = await fetch(`${API}/api/data`, {
      headers: { authorization: `Bearer ${logout!.bearer}` },
    })
    expect(stale.status).toBe(401)
    responses.stop()
  })

  it('activity during the warning clears it and restarts the idle period', async () => {
    const { keeper, window } = await signedIn()
    const events = recordEvents(keeper)
    await vi.advanceTimersByTimeAsync(IDLE - WARN + 5_000)
    expect(keeper.getSnapshot()).toMatchObject({ idleWarningAt: expect.any(Number) })
    move(window)
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', idleWarningAt: null })
    expect(events.map((e) => e.type)).toEqual(['idleWarning', 'active'])
    await vi.advanceTimersByTimeAsync(IDLE - 1_000)
    expect(keeper.getSnapshot().status).toBe('authenticated')
    await vi.advanceTimersByTimeAsync(1_000)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
  })

  it('with idleConfirm, only an explicit touch() ends the warning: reaching for the button does not', async () => {
    const { keeper, window } = await signedIn({ idleConfirm: true })
    await vi.advanceTimersByTimeAsync(IDLE - WARN + 5_000)
    const warned = keeper.getSnapshot()
    expect(warned).toMatchObject({ idleWarningAt: expect.any(Number) })
    move(window)
    window.dispatchEvent(new Event('keydown'))
    expect(keeper.getSnapshot()).toBe(warned)
    keeper.touch() // "Stay signed in"
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', idleWarningAt: null })
    // outside a warning, DOM activity still counts
    await vi.advanceTimersByTimeAsync(IDLE - WARN - 1_000)
    move(window)
    await vi.advanceTimersByTimeAsync(WARN + 2_000)
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', idleWarningAt: null })
    // and a warning nobody answers ends in the idle logout, whatever the pointer does
    await vi.advanceTimersByTimeAsync(IDLE - WARN - 30_000) // 2 s into the next warning
    expect(keeper.getSnapshot()).toMatchObject({ idleWarningAt: expect.any(Number) })
    move(window)
    await vi.advanceTimersByTimeAsync(WARN)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
  })

  it('touch() counts as activity for what the DOM does not see', async () => {
    const { keeper } = await signedIn()
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(IDLE - 10_000)
      keeper.touch()
    }
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('regular activity keeps the session alive indefinitely (refreshes included)', async () => {
    const { keeper, window, document } = await signedIn()
    for (let i = 0; i < 60; i++) {
      await vi.advanceTimersByTimeAsync(60_000)
      if (i % 2) move(window)
      else document.dispatchEvent(new Event('visibilitychange'))
    }
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', idleWarningAt: null })
  })

  it('10,000 activity events change the snapshot 0 times', async () => {
    const { keeper, window } = await signedIn()
    let changes = 0
    keeper.subscribe(() => changes++)
    for (let i = 0; i < 10_000; i++) {
      move(window)
      if (i % 100 === 0) await vi.advanceTimersByTimeAsync(50)
    }
    expect(changes).toBe(0)
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('attaches its listeners only while started', async () => {
    const { keeper, window, document } = tab()
    expect(window.listeners + document.listeners).toBe(0)
    const stop = keeper.start()
    expect(window.listeners).toBeGreaterThan(5)
    expect(document.listeners).toBeGreaterThan(0)
    stop()
    expect(window.listeners + document.listeners).toBe(0)
  })

  it('a hidden tab does not count becoming hidden as activity', async () => {
    const { keeper, document } = await signedIn()
    await vi.advanceTimersByTimeAsync(IDLE - 1_000)
    document.visibilityState = 'hidden'
    document.dispatchEvent(new Event('visibilitychange'))
    await vi.advanceTimersByTimeAsync(1_000)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
  })
})

describe('sleep and wake', () => {
  it('a device asleep past the idle deadline logs out on wake, before any request goes out', async () => {
    const { keeper, window, document } = await signedIn()
    const responses = recordResponses(server)
    vi.setSystemTime(Date.now() + IDLE + 60_000) // asleep: no timer fired
    // waking produces focus and visibility events, which must not count as activity first
    document.dispatchEvent(new Event('visibilitychange'))
    window.dispatchEvent(new Event('focus'))
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
    const error = await settle(keeper.http.get('/api/data')).catch((e) => e)
    expect(error.response?.status ?? error.code).toBe(401)
    expect(responses.to('/api/auth/refresh')).toHaveLength(0)
    responses.stop()
  })

  it('a request made on wake, before any wake event, is refused without being sent', async () => {
    const { keeper } = await signedIn()
    const responses = recordResponses(server)
    vi.setSystemTime(Date.now() + IDLE + 60_000)
    const error = await settle(keeper.http.get('/api/data')).catch((e) => e)
    expect(error).toMatchObject({ name: 'SessionError', code: 'session_expired' })
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
    // the request never went out; only the logout that ends the server's session did
    expect(responses.seen.map((r) => r.path)).toEqual(['/api/auth/logout'])
    responses.stop()
  })

  it('a reload after the idle deadline restores nothing: the session ends idle at start', async () => {
    const storage = new MemoryStorage()
    const first = tab({ storage })
    first.keeper.start()
    await settle(first.keeper.login(ADA))
    first.keeper.destroy()
    vi.setSystemTime(Date.now() + IDLE + 1)
    const reloaded = tab({ storage })
    reloaded.keeper.start()
    expect(reloaded.keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
    expect(storage.getItem('session-keeper')).toBeNull()
  })
})

describe('across tabs', () => {
  async function twoTabsSignedIn() {
    const b = browser()
    const tabs = [b.tab(), b.tab()].map((t) => {
      const keeper = makeKeeper({ ...t.options, idleTimeout: IDLE, idleWarning: WARN })
      keeper.start()
      return { ...t, keeper }
    })
    await settle(tabs[0]!.keeper.login(ADA))
    return tabs
  }

  it('activity in one tab keeps every tab signed in; idle logout only when all were idle', async () => {
    const tabs = await twoTabsSignedIn()
    await pass(1000)
    for (let i = 0; i < 10; i++) {
      await vi.advanceTimersByTimeAsync(IDLE / 2)
      tabs[0]!.window.dispatchEvent(new Event('keydown'))
    }
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated' })
    await vi.advanceTimersByTimeAsync(IDLE)
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
  })

  it('activity in another tab ends this tab’s warning too', async () => {
    const tabs = await twoTabsSignedIn()
    await vi.advanceTimersByTimeAsync(IDLE - WARN + 1_000)
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toMatchObject({ idleWarningAt: expect.any(Number) })
    tabs[1]!.window.dispatchEvent(new Event('pointerdown'))
    await pass(1000)
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toMatchObject({ idleWarningAt: null })
  })

  it('a token refreshed by another tab during the warning announces the warning only once here', async () => {
    const tabs = await twoTabsSignedIn()
    await vi.advanceTimersByTimeAsync(IDLE - WARN + 1_000)
    const warned = tabs[1]!.keeper.getSnapshot()
    expect(warned).toMatchObject({ idleWarningAt: expect.any(Number) })
    const events = recordEvents(tabs[1]!.keeper)
    const snapshots: unknown[] = []
    tabs[1]!.keeper.subscribe(() => snapshots.push(tabs[1]!.keeper.getSnapshot()))
    await settle(tabs[0]!.keeper.refresh()) // the token refreshed in the other tab
    await pass(1000)
    expect(tabs[1]!.keeper.getSnapshot()).toMatchObject({
      idleWarningAt: (warned as { idleWarningAt: number }).idleWarningAt,
    })
    // no activity happened: the warning neither ended nor began again
    expect(events.map((e) => e.type)).not.toContain('idleWarning')
    expect(snapshots).not.toContainEqual(expect.objectContaining({ idleWarningAt: null }))
  })
})

describe('absolute timeout', () => {
  it('ends the session at absoluteTimeout whatever the activity, in every tab', async () => {
    const { keeper, window } = await signedIn({ absoluteTimeout: 10 * 60_000 })
    for (let i = 0; i < 9; i++) {
      await vi.advanceTimersByTimeAsync(60_000)
      move(window)
    }
    expect(keeper.getSnapshot().status).toBe('authenticated')
    await vi.advanceTimersByTimeAsync(60_000)
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'absolute-timeout' })
  })

  it('counts from login across reloads', async () => {
    const storage = new MemoryStorage()
    const first = tab({ storage, absoluteTimeout: 10 * 60_000, idleTimeout: false })
    first.keeper.start()
    await settle(first.keeper.login(ADA))
    await vi.advanceTimersByTimeAsync(6 * 60_000)
    first.keeper.destroy()
    const reloaded = tab({ storage, absoluteTimeout: 10 * 60_000, idleTimeout: false })
    reloaded.keeper.start()
    expect(reloaded.keeper.getSnapshot().status).toBe('authenticated')
    await vi.advanceTimersByTimeAsync(4 * 60_000)
    expect(reloaded.keeper.getSnapshot()).toEqual({
      status: 'unauthenticated',
      reason: 'absolute-timeout',
    })
    void api
  })
})
