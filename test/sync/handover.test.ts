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

it('a tab queued behind two slow refreshes in turn (the first tab closed mid-refresh) waits for the second instead of taking the lock over', async () => {
  const [closing, second, third] = await openTabs(3)
  api().setLatency('refresh', 7_000)
  api().resetCounts()
  const done = [closing!, second!, third!].map((k) => k.refresh().catch((e: unknown) => e))
  await vi.advanceTimersByTimeAsync(100)
  // The first tab's page closes with its refresh on the way: the rotated token goes with it, and
  // the next tab in line refreshes again (7 s) once the browser frees the lock. The third has
  // waited 14 s by then, longer than a holder may take (10 s + 1 s), but it has waited behind
  // two holders, neither of which hung.
  closing!.destroy()
  await pass(30_000)
  await Promise.all(done)
  expect(api().counts.refresh).toBe(2)
  // Had the third sent the same refresh token as the second, the server would hold its rotation
  // while storage held the second's: the next lifetime's refresh would be refused.
  api().setLatency('refresh', 0)
  await vi.advanceTimersByTimeAsync(TTL)
  await pass(2000)
  expect(api().counts.refresh).toBeGreaterThan(2)
  for (const k of [second!, third!]) expect(k.getSnapshot().status).toBe('authenticated')
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
