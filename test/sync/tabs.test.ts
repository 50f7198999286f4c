import { http as mswHttp, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ADA, API, recordEvents, pass, settle, useMockApi } from '../harness.js'
import { browser } from '../tabs.js'

const TTL = 120_000
const { server, api, makeKeeper } = useMockApi({ accessTtlMs: TTL })
beforeEach(() => void vi.useFakeTimers())

const modes = [
  { name: 'Web Locks + BroadcastChannel', webLocks: true, broadcastChannel: true },
  { name: 'storage lease + storage events', webLocks: false, broadcastChannel: false },
]

async function openTabs(n: number, b: ReturnType<typeof browser>, extra = {}) {
  const tabs = Array.from({ length: n }, () => {
    const t = b.tab(extra)
    const keeper = makeKeeper(t.options)
    keeper.start()
    return { ...t, keeper }
  })
  await settle(tabs[0]!.keeper.login(ADA))
  await pass(1000)
  return tabs
}

describe.each(modes)('many tabs ($name)', ({ webLocks, broadcastChannel }) => {
  it('a login in one tab signs every tab in, with no extra network call', async () => {
    const tabs = await openTabs(3, browser({ webLocks, broadcastChannel }))
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toMatchObject({
        status: 'authenticated',
        user: { username: 'ada' },
      })
    expect(api().counts.login).toBe(1)
    expect(api().counts.refresh).toBe(0)
  })

  it.each([2, 5])(
    '%i tabs crossing the refresh margin together make exactly one refresh call',
    async (n) => {
      const tabs = await openTabs(n, browser({ webLocks, broadcastChannel }))
      api().resetCounts()
      await vi.advanceTimersByTimeAsync(TTL - 60_000 + 1_000)
      await pass(2000)
      expect(api().counts.refresh).toBe(1)
      // every tab now sends the same, new token
      const bearers = new Set<string | null>()
      server.events.on(
        'request:start',
        ({ request }) => void bearers.add(request.headers.get('authorization')),
      )
      for (const { keeper } of tabs) await settle(keeper.http.get('/api/data'))
      server.events.removeAllListeners()
      expect(bearers.size).toBe(1)
      expect(api().counts.refresh).toBe(1)
      // and they keep to one refresh per lifetime
      await vi.advanceTimersByTimeAsync(3 * (TTL - 60_000))
      await pass(2000)
      expect(api().counts.refresh).toBe(4)
      for (const { keeper } of tabs) expect(keeper.getSnapshot().status).toBe('authenticated')
    },
  )

  it('logout in one tab signs every tab out, with the same reason and no echo', async () => {
    const b = browser({ webLocks, broadcastChannel })
    const tabs = await openTabs(3, b)
    const events = tabs.map((t) => recordEvents(t.keeper))
    await settle(tabs[1]!.keeper.logout())
    await pass(1000)
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    for (const e of events)
      expect(e.filter((x) => x.type === 'loggedOut')).toEqual([
        { type: 'loggedOut', reason: 'logout' },
      ])
    expect(api().counts.logout).toBe(1)
  })

  it('a login as another user in one tab leaves no tab with the old user', async () => {
    const tabs = await openTabs(3, browser({ webLocks, broadcastChannel }))
    await settle(tabs[2]!.keeper.login({ username: 'grace', password: 'hopper' }))
    await pass(1000)
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toMatchObject({
        status: 'authenticated',
        user: { username: 'grace' },
      })
    const users = await Promise.all(
      tabs.map(async (t) => (await settle(t.keeper.http.get('/api/data'))).data.user),
    )
    expect(users).toEqual(['grace', 'grace', 'grace'])
  })

  it('a session ended by the server ends in every tab with that reason', async () => {
    const tabs = await openTabs(3, browser({ webLocks, broadcastChannel }))
    api().revokeAll()
    await settle(tabs[0]!.keeper.refresh().catch(() => {}))
    await pass(1000)
    for (const { keeper } of tabs)
      expect(keeper.getSnapshot()).toEqual({
        status: 'unauthenticated',
        reason: 'refresh-rejected',
      })
  })

  it('a 401 in tab B after tab A rotated is retried with A’s token, without a refresh', async () => {
    const b = browser({ webLocks, broadcastChannel })
    const [a, tabB] = await openTabs(2, b)
    // B misses A's message (it is busy, or the message is late) and still holds the old token
    tabB!.deafen()
    let latest = ''
    server.events.on('response:mocked', async ({ request, response }) => {
      if (request.url.endsWith('/api/auth/refresh'))
        latest = (await response.clone().json()).access_token
    })
    await settle(a!.keeper.refresh())
    server.events.removeAllListeners()
    api().resetCounts()
    server.use(
      mswHttp.get(`${API}/api/strict`, ({ request }) =>
        request.headers.get('authorization') === `Bearer ${latest}`
          ? HttpResponse.json({ ok: true })
          : HttpResponse.json({}, { status: 401 }),
      ),
    )
    const res = await settle(tabB!.keeper.http.get('/api/strict'))
    expect(res.data).toEqual({ ok: true })
    expect(api().counts.refresh).toBe(0)
  })
})

describe('storage that reaches other tabs late (as in Chromium)', () => {
  it.each(modes)(
    '$name: tabs that waited for the lock adopt the winner’s refresh: one call',
    async ({ webLocks, broadcastChannel }) => {
      const tabs = await openTabs(3, browser({ webLocks, broadcastChannel, storageLagMs: 40 }))
      await vi.advanceTimersByTimeAsync(100)
      api().setLatency('refresh', 30) // the winner still holds the lock when the others ask
      api().resetCounts()
      await vi.advanceTimersByTimeAsync(TTL - 60_000)
      await pass(2000)
      expect(api().counts.refresh).toBe(1)
      for (const { keeper } of tabs) expect(keeper.getSnapshot().status).toBe('authenticated')
    },
  )
  it('storage lease: tabs that take the lease in the same moment still make one call', async () => {
    // Each tab's lease write reaches the others only after 40 ms, so in the moment they all ask,
    // every tab finds the lease free and writes its own.
    const tabs = await openTabs(
      3,
      browser({ webLocks: false, broadcastChannel: false, storageLagMs: 40 }),
    )
    await vi.advanceTimersByTimeAsync(100)
    api().resetCounts()
    await Promise.all(tabs.map(({ keeper }) => settle(keeper.refresh())))
    await pass(2000)
    expect(api().counts.refresh).toBe(1)
    for (const { keeper } of tabs) expect(keeper.getSnapshot().status).toBe('authenticated')
  })
})

describe('locks that fail', () => {
  it('a hung Web Locks holder blocks the others no longer than its own refresh could take (10 s + 1 s)', async () => {
    const b = browser({ webLocks: true })
    const [tab] = await openTabs(1, b)
    b.locks.hang('session-keeper:session-keeper')
    api().resetCounts()
    const done = tab!.keeper.refresh()
    await vi.advanceTimersByTimeAsync(10_900)
    expect(api().counts.refresh).toBe(0)
    await settle(done, 100)
    expect(api().counts.refresh).toBe(1)
    expect(tab!.keeper.getSnapshot().status).toBe('authenticated')
  })

  it('a slow refresh (8 s) in one tab is waited for, not duplicated, by the others', async () => {
    const tabs = await openTabs(3, browser({ webLocks: true }))
    api().setLatency('refresh', 8_000)
    api().resetCounts()
    await vi.advanceTimersByTimeAsync(TTL - 60_000)
    await pass(12_000)
    expect(api().counts.refresh).toBe(1)
    for (const { keeper } of tabs) expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('a lease left by a tab that died mid-refresh blocks no longer than the lock timeout', async () => {
    const b = browser({ webLocks: false, broadcastChannel: false })
    const [tab] = await openTabs(1, b)
    b.storage.backing.setItem(
      'session-keeper:lock',
      JSON.stringify({ owner: 'dead-tab', until: Date.now() + 3_600_000 }),
    )
    api().resetCounts()
    const done = tab!.keeper.refresh()
    await vi.advanceTimersByTimeAsync(4_900)
    expect(api().counts.refresh).toBe(0)
    await settle(done, 100)
    expect(api().counts.refresh).toBe(1)
  })
})

describe('the channel', () => {
  it('ignores foreign and malformed messages', async () => {
    const b = browser()
    const [tab] = await openTabs(1, b)
    const events = recordEvents(tab!.keeper)
    for (const data of [
      null,
      'logout',
      { ns: 'other-lib', kind: 'end', reason: 'logout' },
      { ns: 'session-keeper', slot: 'other-slot', from: 'x', kind: 'end', reason: 'logout' },
      { ns: 'session-keeper', slot: 'session-keeper', from: 'x', kind: 'end', reason: 'because' },
      { ns: 'session-keeper', slot: 'session-keeper', from: 'x', kind: 'activity', at: 'now' },
      {
        ns: 'session-keeper',
        slot: 'session-keeper',
        from: 'x',
        kind: 'health',
        at: 1,
        health: {},
      },
      { ns: 'session-keeper', slot: 'session-keeper', from: 'x', kind: 'session' },
    ])
      b.hub.inject('session-keeper:session-keeper', data)
    await pass(1000)
    expect(tab!.keeper.getSnapshot().status).toBe('authenticated')
    expect(events).toEqual([])
  })

  it('messages carry no token, only what changed', async () => {
    const b = browser()
    const tabs = await openTabs(2, b)
    await settle(tabs[0]!.keeper.refresh())
    tabs[0]!.keeper.touch()
    await settle(tabs[0]!.keeper.logout())
    const text = JSON.stringify(b.hub.sent)
    expect(b.hub.sent.length).toBeGreaterThanOrEqual(3)
    expect(text).not.toMatch(/eyJ|Token|token/)
  })

  it('with crossTab: false nothing is shared', async () => {
    const b = browser()
    const tabs = await openTabs(2, b, { crossTab: false })
    expect(tabs[0]!.keeper.getSnapshot().status).toBe('authenticated')
    expect(tabs[1]!.keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    expect(b.hub.sent).toEqual([])
    expect(b.locks.requests).toBe(0)
  })
})
