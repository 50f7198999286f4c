import { beforeEach, expect, it, vi } from 'vitest'
import { ADA, pass, settle, useMockApi } from '../harness.js'
import { browser } from '../tabs.js'

// Tabs that close, or wait long, while another tab's refresh is on the way. The server rotates
// refresh tokens with the reuse grace the README's server guidance asks for (15 s).
const TTL = 120_000
const { api, makeKeeper } = useMockApi({ accessTtlMs: TTL, reuseGraceMs: 15_000 })
beforeEach(() => void vi.useFakeTimers())

async function openTabs(n: number) {
  const b = browser({ webLocks: true })
  const tabs = Array.from({ length: n }, () => {
    const keeper = makeKeeper(b.tab().options)
    keeper.start()
    return keeper
  })
  await settle(tabs[0]!.login(ADA))
  await pass(1000)
  return tabs
}

it('a tab queued behind two holders in turn, each within its own time (7 s), waits for the second instead of taking the lock over', async () => {
  const b = browser({ webLocks: true })
  const keeper = makeKeeper(b.tab().options)
  keeper.start()
  await settle(keeper.login(ADA))
  api().resetCounts()
  // two other tabs hold the refresh lock in turn, 7 s each (slow answers, neither hung)
  const hold = (tab: string) =>
    b.locks
      .client(tab)
      .request('session-keeper:session-keeper', {}, () => new Promise((r) => setTimeout(r, 7_000)))
  void hold('first')
  void hold('second')
  const done = keeper.refresh()
  // By 13.9 s it has waited longer than a holder may take (10 s + 1 s), but behind two holders:
  // taking over would send the refresh token the second may be rotating right now.
  await vi.advanceTimersByTimeAsync(13_900)
  expect(api().counts.refresh).toBe(0)
  await settle(done, 1_000)
  expect(api().counts.refresh).toBe(1)
  expect(keeper.getSnapshot().status).toBe('authenticated')
})

it('a tab destroyed while it waits for the lock sends no refresh (its refresh token is the one just spent)', async () => {
  const [first, destroyed] = await openTabs(2)
  api().setLatency('refresh', 3_000)
  api().resetCounts()
  const a = first!.refresh()
  const b = destroyed!.refresh().catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(100)
  destroyed!.destroy()
  await pass(10_000)
  await a
  expect(await b).toMatchObject({ code: 'refresh_unavailable' })
  expect(api().counts.refresh).toBe(1)
  expect(first!.getSnapshot().status).toBe('authenticated')
  await vi.advanceTimersByTimeAsync(TTL)
  await pass(2000)
  expect(first!.getSnapshot().status).toBe('authenticated')
})

it('where locks.query() fails, a waiting tab takes over from a hung holder after one timeout (10 s + 1 s), with no unhandled rejection', async () => {
  const b = browser({ webLocks: true })
  const t = b.tab()
  const locks = b.locks.client('failing')
  const keeper = makeKeeper({
    ...t.options,
    environment: {
      ...t.options.environment,
      locks: {
        request: locks.request.bind(locks),
        query: () => {
          throw new DOMException('denied', 'SecurityError')
        },
      },
    },
  })
  keeper.start()
  await settle(keeper.login(ADA))
  b.locks.hang('session-keeper:session-keeper')
  api().resetCounts()
  const done = keeper.refresh()
  await vi.advanceTimersByTimeAsync(10_900)
  expect(api().counts.refresh).toBe(0)
  await settle(done, 100)
  expect(api().counts.refresh).toBe(1)
  expect(keeper.getSnapshot().status).toBe('authenticated')
})

it('where Web Locks are refused (a sandboxed iframe: opaque origin, SecurityError), the session is still refreshed and requests after expiry succeed', async () => {
  const refused = () => Promise.reject(new DOMException('opaque origin', 'SecurityError'))
  const keeper = makeKeeper({
    crossTab: true,
    environment: {
      window: null,
      document: null,
      openChannel: null,
      locks: { request: refused, query: refused } as never,
    },
  })
  keeper.start()
  await settle(keeper.login(ADA))
  api().resetCounts()
  vi.setSystemTime(Date.now() + TTL + 1_000) // the device slept past the token's expiry
  const { data } = await settle(keeper.http.get('/api/data'))
  expect(data.user).toBe('ada')
  expect(api().counts.refresh).toBe(1)
  expect(keeper.getSnapshot().status).toBe('authenticated')
})
