import { beforeEach, expect, it, vi } from 'vitest'
import { ADA, recordEvents, pass, settle, useMockApi } from '../harness.js'
import { browser } from '../tabs.js'

// A server with refresh-token rotation and a short reuse grace window (the README's advice).
const TTL = 120_000
const { api, makeKeeper } = useMockApi({ accessTtlMs: TTL, reuseGraceMs: 2_000 })
beforeEach(() => void vi.useFakeTimers())

it('a tab that refreshes after the winner finished, before the winner’s write reached it, is never logged out', async () => {
  // No BroadcastChannel and a slow storage: the others learn of the first rotation only late.
  const b = browser({ webLocks: true, broadcastChannel: false, storageLagMs: 40 })
  const tabs = [b.tab(), b.tab(), b.tab()].map((t) => {
    const keeper = makeKeeper(t.options)
    keeper.start()
    return keeper
  })
  await settle(tabs[0]!.login(ADA))
  await vi.advanceTimersByTimeAsync(100)
  const events = tabs.map((k) => recordEvents(k))
  await vi.advanceTimersByTimeAsync(TTL - 60_000)
  await pass(2000)
  for (const keeper of tabs) expect(keeper.getSnapshot().status).toBe('authenticated')
  for (const e of events) expect(e.filter((x) => x.type === 'loggedOut')).toEqual([])
  // they converge on the server's latest tokens, and keep working through later refreshes
  await vi.advanceTimersByTimeAsync(3 * (TTL - 60_000))
  await pass(2000)
  const users = await Promise.all(
    tabs.map(async (k) => (await settle(k.http.get('/api/data'))).data.user),
  )
  expect(users).toEqual(['ada', 'ada', 'ada'])
  for (const e of events) expect(e.filter((x) => x.type === 'loggedOut')).toEqual([])
  void api
})
