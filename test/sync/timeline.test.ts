// Issue 17: the session's timeline is one truth across tabs. Each case here was a bug a real
// browser showed: the tabs ended on different users, or every tab was signed out for nothing.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ADA, MemoryStorage, pass, settle, useMockApi } from '../harness.js'
import { browser } from '../tabs.js'

const TTL = 120_000
const GRACE = { username: 'grace', password: 'hopper' }
// No rotation grace: a spent refresh token sent again is refused, as SimpleJWT does.
const { api, makeKeeper } = useMockApi({ accessTtlMs: TTL, reuseGraceMs: 0 })
beforeEach(() => void vi.useFakeTimers())

type Browser = ReturnType<typeof browser>
const open = (b: Browser, extra = {}) => {
  const t = b.tab(extra)
  const keeper = makeKeeper(t.options)
  keeper.start()
  return { ...t, keeper }
}
const userOf = (k: ReturnType<typeof open>['keeper']) => {
  const s = k.getSnapshot()
  return s.status === 'authenticated' ? (s.user?.username ?? null) : s.status
}

describe.each([
  { name: 'BroadcastChannel', broadcastChannel: true, storageLagMs: 0, channelLagMs: 0 },
  { name: 'messages 50 ms late', broadcastChannel: true, storageLagMs: 0, channelLagMs: 50 },
  { name: 'storage 100 ms late', broadcastChannel: true, storageLagMs: 100, channelLagMs: 0 },
  { name: 'storage events', broadcastChannel: false, storageLagMs: 0, channelLagMs: 0 },
])('tabs ($name)', ({ broadcastChannel, storageLagMs, channelLagMs }) => {
  const make = () => browser({ broadcastChannel, storageLagMs, channelLagMs })

  it('an account switch in one tab leaves every tab, and the next page, on the new account', async () => {
    const b = make()
    const [a, tabB] = [open(b), open(b)]
    await settle(a.keeper.login(ADA))
    await pass(1000)
    expect(userOf(tabB.keeper)).toBe('ada')
    void a.keeper.logout() // "switch account": sign out, and at once sign in as someone else
    await settle(a.keeper.login(GRACE))
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['grace', 'grace'])
    expect(userOf(open(b).keeper)).toBe('grace')
  })

  it.each([0, 30, 80, 150, 700])(
    'sign-out in B, sign-in in A %i ms later: B follows',
    async (gap) => {
      const b = make()
      const [a, tabB] = [open(b), open(b)]
      await settle(a.keeper.login(ADA))
      await pass(1000)
      void tabB.keeper.logout()
      await vi.advanceTimersByTimeAsync(gap)
      await settle(a.keeper.login(ADA))
      await pass(2000)
      expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['ada', 'ada'])
      expect(userOf(open(b).keeper)).toBe('ada')
    },
  )

  it('activity in a tab that has not heard of a refresh never writes its old session back', async () => {
    const b = make()
    const [a, tabB] = [open(b), open(b)]
    await settle(a.keeper.login(ADA))
    await pass(1000)
    tabB.deafen() // B is busy: it has not handled A's message yet
    await settle(a.keeper.refresh())
    await vi.advanceTimersByTimeAsync(storageLagMs)
    // the user brings B forward: focus is activity, and activity is persisted
    tabB.window.dispatchEvent(new Event('focus'))
    await pass(100)
    // the next page holds A's new tokens, so its refresh is not refused: nobody is signed out
    const next = open(b)
    await settle(next.keeper.refresh())
    await pass(1000)
    expect(api().counts.refresh).toBe(2)
    for (const t of [a, next]) expect(t.keeper.getSnapshot().status).toBe('authenticated')
  })

  it('a corrupt slot found by a new page ends the session in every tab', async () => {
    const b = make()
    const [a, tabB] = [open(b), open(b)]
    await settle(a.keeper.login(ADA))
    await pass(1000)
    const raw = b.storage.backing.getItem('session-keeper')!
    b.storage.backing.setItem('session-keeper', raw.slice(0, -4) + 'AAAA')
    const reloaded = open(b)
    await pass(1000)
    for (const t of [a, tabB, reloaded])
      expect(t.keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'tampered' })
    // and activity in a tab that had the session writes nothing back: the next page is signed out
    tabB.window.dispatchEvent(new Event('focus'))
    a.window.dispatchEvent(new Event('focus'))
    expect(open(b).keeper.getSnapshot().status).toBe('unauthenticated')
  })
})

describe('one refresh per browser, even when storage is late', () => {
  it.each([true, false])(
    'two tabs reaching the refresh margin together send the refresh token once (Web Locks: %s)',
    async (webLocks) => {
      const b = browser({ webLocks, broadcastChannel: false, storageLagMs: 40 })
      const [a, tabB] = [open(b), open(b)]
      await settle(a.keeper.login(ADA))
      await pass(1000)
      await vi.advanceTimersByTimeAsync(TTL - 60_000)
      await pass(2000)
      expect(api().counts.refresh).toBe(1)
      for (const t of [a, tabB]) expect(t.keeper.getSnapshot().status).toBe('authenticated')
    },
  )

  it.each([0, 20, 37, 45])(
    'storage lease: a refresh asked for %i ms before another tab’s automatic one is still the only one',
    async (early) => {
      const b = browser({ webLocks: false, broadcastChannel: false, storageLagMs: 40 })
      const [a, tabB] = [open(b), open(b)]
      await settle(a.keeper.login(ADA))
      await pass(1000)
      await vi.advanceTimersByTimeAsync(TTL - 60_000 - 1000 - early)
      const asked = a.keeper.refresh()
      await pass(2000)
      await asked
      expect(api().counts.refresh).toBe(1)
      for (const t of [a, tabB]) expect(t.keeper.getSnapshot().status).toBe('authenticated')
    },
  )

  it('a sign-in in the millisecond of a sign-out is numbered above the ended session', async () => {
    const b = browser({ broadcastChannel: false })
    const [a, tabB] = [open(b), open(b)]
    const before = Date.now() // sign-in, sign-out and sign-in again, all in one millisecond
    await settle(a.keeper.login(ADA))
    expect(userOf(tabB.keeper)).toBe('ada')
    void a.keeper.logout()
    await settle(a.keeper.login(ADA))
    expect(Date.now()).toBe(before)
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['ada', 'ada'])
  })
})

describe('an end ends the sign-in, whatever revisions it has had', () => {
  it('a sign-in replaced in one tab and then signed out leaves every tab signed out', async () => {
    const b = browser({ webLocks: false, broadcastChannel: false, storageLagMs: 40 })
    const [a, tabB] = [open(b), open(b)]
    await settle(a.keeper.login(ADA))
    await pass(3000)
    await settle(a.keeper.login(ADA)) // replaces the sign-in B holds…
    await settle(a.keeper.logout()) // …and ends the new one before B's storage shows it
    await pass(2000)
    expect(a.keeper.getSnapshot().status).toBe('unauthenticated')
    expect(tabB.keeper.getSnapshot().status).toBe('unauthenticated')
    expect(open(b).keeper.getSnapshot().status).toBe('unauthenticated')
  })

  it('a sign-out in one tab never ends another tab’s sign-in made in the same millisecond', async () => {
    const b = browser({ channelLagMs: 30 })
    const [a, tabB] = [open(b), open(b)]
    await settle(tabB.keeper.login(ADA))
    await settle(tabB.keeper.logout())
    await settle(a.keeper.login(ADA)) // before either message reaches A
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['ada', 'ada'])
    expect(userOf(open(b).keeper)).toBe('ada')
  })

  it('a tab that hears of a sign-out before the new sign-in reaches its storage keeps the new one in the slot', async () => {
    const b = browser({ webLocks: false, broadcastChannel: false, storageLagMs: 40 })
    const [a, tabB] = [open(b), open(b)]
    await settle(a.keeper.login(ADA))
    await pass(1000)
    void tabB.keeper.logout() // the account switch in B: its end message and its new session
    await settle(tabB.keeper.login(GRACE))
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['grace', 'grace'])
    expect(userOf(open(b).keeper)).toBe('grace')
  })

  it.each([false, true])(
    'a sign-out in a tab that has not seen a newer sign-in yet leaves no tab disagreeing (BroadcastChannel: %s)',
    async (broadcastChannel) => {
      const b = browser({ webLocks: false, broadcastChannel, storageLagMs: 40 })
      const [a, tabB] = [open(b), open(b)]
      await settle(a.keeper.login(ADA))
      await pass(3000)
      await settle(a.keeper.login(ADA)) // a new sign-in…
      await settle(tabB.keeper.logout()) // …and, before B sees it, a sign-out of the old one
      await pass(2000)
      const users = [userOf(a.keeper), userOf(tabB.keeper), userOf(open(b).keeper)]
      expect(new Set(users).size).toBe(1)
    },
  )

  it('a sign-in right after tampering was found survives the late tamper message', async () => {
    const b = browser({ channelLagMs: 30 })
    const [a, tabB] = [open(b), open(b)]
    await settle(a.keeper.login(ADA))
    const raw = b.storage.backing.getItem('session-keeper')!
    b.storage.backing.setItem('session-keeper', raw.slice(0, -4) + 'AAAA')
    await settle(a.keeper.login(ADA)) // finds the slot tampered with, ends, signs in afresh
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['ada', 'ada'])
    expect(userOf(open(b).keeper)).toBe('ada')
  })

  it('a user update written by a freshly reloaded tab does not outlive a sign-out in another', async () => {
    const b = browser({ broadcastChannel: false, storageLagMs: 40 })
    const a = open(b)
    const first = open(b)
    await settle(a.keeper.login(ADA))
    first.keeper.destroy()
    await vi.advanceTimersByTimeAsync(100)
    // the reloaded tab restores and confirms the user: a later revision of the same sign-in
    const reloaded = open(b, { verifyOnRestore: true })
    expect(userOf(reloaded.keeper)).toBe('ada')
    await vi.advanceTimersByTimeAsync(1)
    await settle(a.keeper.logout())
    await pass(2000)
    for (const t of [a, reloaded])
      expect(t.keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    expect(open(b).keeper.getSnapshot().status).toBe('unauthenticated')
  })
})

describe('revisions order writes across tabs', () => {
  it('a restore-time user check answered after another tab’s refresh never writes the old tokens back', async () => {
    const b = browser()
    const a = open(b)
    await settle(a.keeper.login(ADA))
    api().setLatency('verify', 500)
    const late = open(b, { verifyOnRestore: true }) // a new tab: its user check is slow
    late.deafen() // and it has not heard of A's refresh when the answer comes
    await settle(a.keeper.refresh())
    await pass(2000)
    // the slot still holds A's rotated tokens: the next page refreshes with them, not refused
    const next = open(b)
    await settle(next.keeper.refresh())
    expect(next.keeper.getSnapshot().status).toBe('authenticated')
    expect(api().counts.refresh).toBe(2)
  })

  it('a sign-in made without seeing another tab’s sign-in and sign-out burst is followed by it', async () => {
    const b = browser({ webLocks: false, broadcastChannel: false, storageLagMs: 40 })
    const [a, tabB] = [open(b), open(b)]
    await settle(tabB.keeper.login(ADA))
    await settle(tabB.keeper.login(ADA))
    void tabB.keeper.logout()
    await settle(a.keeper.login(ADA)) // A sees none of it yet
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['ada', 'ada'])
  })

  it('two tabs signing in within one millisecond end on one sign-in, tokens included', async () => {
    const b = browser({ storageLagMs: 40 })
    const [a, tabB] = [open(b), open(b)]
    await Promise.all([settle(a.keeper.login(ADA)), settle(tabB.keeper.login(ADA))])
    await pass(2000)
    const bearers = await Promise.all(
      [a, tabB].map(async (t) => {
        const r = await settle(t.keeper.http.get('/api/data'))
        return String(r.config.headers.Authorization)
      }),
    )
    expect(bearers[0]).toBe(bearers[1])
  })

  it('a refresh of an older sign-in, written late, never outranks a newer sign-in', async () => {
    const b = browser({ broadcastChannel: false, storageLagMs: 40 })
    const [a, tabB] = [open(b), open(b)]
    await settle(tabB.keeper.login(GRACE))
    await vi.advanceTimersByTimeAsync(2)
    // A signs in as Ada before Grace's sign-in reaches it; B refreshes Grace's session before
    // Ada's sign-in reaches it, so its write lands after hers
    await settle(a.keeper.login(ADA))
    await settle(tabB.keeper.refresh())
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['ada', 'ada'])
    expect(userOf(open(b).keeper)).toBe('ada')
  })

  it('two commits in one millisecond in tab A, then a write in tab B: both tabs end on B’s', async () => {
    const b = browser()
    const [a, tabB] = [open(b), open(b)]
    await settle(a.keeper.login(ADA))
    await pass(1000)
    tabB.deafen() // B misses A's next two writes
    // a coarse clock: both of A's writes and B's all read the same millisecond
    const before = Date.now()
    await settle(a.keeper.refresh())
    vi.setSystemTime(before)
    await settle(a.keeper.refresh())
    vi.setSystemTime(before)
    await settle(tabB.keeper.login(GRACE))
    await pass(2000)
    expect([userOf(a.keeper), userOf(tabB.keeper)]).toEqual(['grace', 'grace'])
    expect(userOf(open(b).keeper)).toBe('grace')
  })
})

describe('a single tab', () => {
  it('a reload after an account switch restores the new account', async () => {
    const storage = new MemoryStorage()
    const k = makeKeeper({ storage })
    k.start()
    await settle(k.login(ADA))
    void k.logout()
    await settle(k.login(GRACE))
    const reloaded = makeKeeper({ storage })
    reloaded.start()
    expect(userOf(reloaded)).toBe('grace')
  })
})

describe('a sign-out before the session is known', () => {
  it.each([
    { name: 'BroadcastChannel', broadcastChannel: true },
    { name: 'storage events', broadcastChannel: false },
  ])(
    'logout() on a page not started yet (a /logout route loader) signs out the other tabs too ($name)',
    async ({ broadcastChannel }) => {
      const b = browser({ broadcastChannel, storageLagMs: 40 })
      const a = open(b)
      await settle(a.keeper.login(ADA))
      await pass(1000)
      const page = makeKeeper(b.tab().options) // not started: the provider has not mounted yet
      await settle(page.logout())
      page.start()
      await pass(2000)
      for (const k of [a.keeper, page])
        expect(k.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
      expect(userOf(open(b).keeper)).toBe('unauthenticated')
    },
  )
})
