// The refresh lock in real Chromium: Web Locks shared by real tabs, `navigator.locks.query()` as
// the browser answers it. The waiting tab runs on Playwright's clock, so its lock timeout (the
// page's refreshTimeout, 10 s, + 1 s) is moved, never waited for; the other two tabs hold the lock
// by hand, as two tabs refreshing in turn would.
import assert from 'node:assert/strict'
import { apiState, openTab, settledStatus, until } from './harness.mjs'

const LOCK = 'session-keeper:session-keeper'
const WAIT = 11_000 // refreshTimeout (10 s) + 1 s: how long a waiting tab gives one holder

/** Takes the refresh lock in `tab` (or joins its queue) and keeps it until `release(tab)`. */
const hold = (tab) =>
  tab.evaluate((name) => {
    void navigator.locks.request(name, () => new Promise((r) => (window.__release = r)))
  }, LOCK)
const release = (tab) => tab.evaluate(() => window.__release())
const lockState = (tab) =>
  tab.evaluate(async (name) => {
    const { held = [], pending = [] } = await navigator.locks.query()
    return {
      held: held.filter((l) => l.name === name).map((l) => l.clientId),
      pending: pending.filter((l) => l.name === name).length,
    }
  }, LOCK)

export const lockScenarios = {
  async 'token mode, Web Locks: a tab queued behind two holders in turn waits for the second, and takes over only from one that hangs'({
    context,
    page,
    startApi,
  }) {
    const api = await startApi({ credentials: 'token', accessTtlMs: 120_000 })
    const url = `${page.origin()}/?api=${encodeURIComponent(api.url())}&mode=token`
    const first = await openTab(context, url)
    const r = await first.evaluate(() => window.sk.login())
    assert.ok(r.ok, `sign-in failed: ${r.code}`)
    const second = await openTab(context, url)
    // The waiting tab: its timers on Playwright's clock, its lock requests logged on that clock.
    const waiter = await context.newPage()
    await waiter.clock.install()
    await waiter.addInitScript(() => {
      window.__locks = []
      const request = navigator.locks.request.bind(navigator.locks)
      navigator.locks.request = (name, options, fn) => {
        if (typeof options === 'object' && options.steal)
          window.__locks.push({ steal: true, at: Date.now() })
        return request(name, options, fn)
      }
    })
    await waiter.goto(url)
    await waiter.waitForFunction(() => window.sk !== undefined)
    assert.equal((await settledStatus(waiter)).status, 'authenticated')

    // Two holders in turn: the first tab holds the lock, the second queues behind it.
    await hold(first)
    await until(async () => (await lockState(first)).held.length === 1, 'the first tab to hold')
    const firstHolder = (await lockState(first)).held[0]
    await hold(second)
    await until(async () => (await lockState(first)).pending === 1, 'the second tab to queue')
    const t0 = await waiter.evaluate(() => Date.now())
    await waiter.evaluate(() => void (window.__refresh = window.sk.refresh()))
    await until(async () => (await lockState(first)).pending === 2, 'the waiting tab to queue')

    // 6 s under the first holder, then it lets go and the second takes over for 6 s: 12 s of
    // waiting, more than one holder may take, but no holder took that long.
    await waiter.clock.runFor(6_000)
    await release(first)
    await until(async () => {
      const s = await lockState(first)
      return s.held.length === 1 && s.held[0] !== firstHolder && s.pending === 1
    }, 'the second tab to take the lock')
    await waiter.clock.runFor(6_000)
    // The waiting tab has looked (query) and started the second holder's own timeout.
    await until(async () => (await lockState(first)).pending === 1, 'the waiting tab to queue on')
    assert.deepEqual(await waiter.evaluate(() => window.__locks), [], 'took the lock over early')
    assert.equal((await apiState(api)).refreshLog.length, 0)

    // The second holder now hangs: a full timeout after it took the lock, the waiting tab takes over
    // and refreshes (once).
    await waiter.clock.runFor(WAIT)
    await until(
      async () => (await waiter.evaluate(() => window.__locks)).length === 1,
      'the waiting tab to take the lock over from the hung holder',
    )
    const [steal] = await waiter.evaluate(() => window.__locks)
    assert.ok(steal.at - t0 >= 6_000 + WAIT, `took over ${steal.at - t0} ms after it queued`)
    assert.equal(await waiter.evaluate(() => window.__refresh), 'ok')
    assert.equal((await apiState(api)).refreshLog.length, 1)
    await release(second)
    return { tookOverAfterMs: steal.at - t0 }
  },
}
