import { beforeEach, expect, it, vi } from 'vitest'
import { ADA, recordResponses, useMockApi } from '../harness.js'
import { browser } from '../tabs.js'

// 24 simulated hours of one browser with 3 tabs. Seeded, so a failure replays exactly.
const MIN = 60_000
const HOUR = 60 * MIN
const TTL = 15 * MIN
const IDLE = 30 * MIN
const ABSOLUTE = 8 * HOUR
const { server, api, makeKeeper } = useMockApi({ accessTtlMs: TTL, reuseGraceMs: 5_000 })
beforeEach(() => void vi.useFakeTimers())

function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

it.each([20261123, 7])(
  '24 hours, 3 tabs, a user who comes and goes, and a hostile network: every logout justified and on time (seed %i)',
  async (seed) => {
    const rand = prng(seed)
    const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!
    const between = (a: number, b: number) => a + Math.floor(rand() * (b - a))
    const unhandled: unknown[] = []
    const onUnhandled = (e: unknown) => unhandled.push(e)
    process.on('unhandledRejection', onUnhandled)

    const b = browser()
    const tabs = [b.tab(), b.tab(), b.tab()].map((t) => {
      const keeper = makeKeeper({
        ...t.options,
        idleTimeout: IDLE,
        idleWarning: MIN,
        absoluteTimeout: ABSOLUTE,
        healthInterval: 5 * MIN,
      })
      keeper.start()
      return { ...t, keeper, hiddenUntil: 0 }
    })
    const responses = recordResponses(server)
    const violations: string[] = []
    const logouts: Record<string, number> = {}
    const t0 = Date.now()
    const at = () => `${((Date.now() - t0) / HOUR).toFixed(2)} h`
    let lastActivity = Date.now()
    let startedAt = 0
    let logins = 0
    let present = true
    let presenceUntil = Date.now() + 20 * MIN
    let latencyUntil = 0
    let successes: number[] = []
    let sessionRefreshes = 0
    let maxRefreshGapViolation = ''

    for (const t of tabs)
      t.keeper.on('loggedOut', ({ reason }) => {
        logouts[reason] = (logouts[reason] ?? 0) + 1
        const now = Date.now()
        // no logout except for a rule that required it
        if (reason === 'idle' && now < lastActivity + IDLE - 10_000)
          violations.push(`${at()}: idle logout ${(now - lastActivity) / MIN} min after activity`)
        else if (reason === 'absolute-timeout' && now < startedAt + ABSOLUTE - 10_000)
          violations.push(`${at()}: early absolute timeout`)
        else if (reason !== 'idle' && reason !== 'absolute-timeout')
          violations.push(`${at()}: logout for ${reason}`)
      })
    server.events.on('response:mocked', ({ request, response }) => {
      if (!request.url.endsWith('/api/auth/refresh') || response.status !== 200) return
      const now = Date.now()
      // at most one refresh per token lifetime (minus the margin) per browser
      const prev = successes.at(-1)
      if (prev !== undefined && now - prev < (TTL - MIN) * 0.9)
        maxRefreshGapViolation = `${at()}: refreshes ${(now - prev) / 1000} s apart`
      successes.push(now)
      sessionRefreshes += 1
    })
    const signedIn = () => tabs.some((t) => t.keeper.getSnapshot().status === 'authenticated')
    // A tab comes into view because the user looks at it: that is activity, as the keeper counts it.
    const wake = (t: (typeof tabs)[number]) => {
      t.document.visibilityState = 'visible'
      t.document.dispatchEvent(new Event('visibilitychange'))
      t.window.dispatchEvent(new Event('focus'))
      // (past the idle deadline it is not: the keeper must end the session instead)
      if (signedIn() && Date.now() < lastActivity + IDLE) lastActivity = Date.now()
    }

    for (let minute = 0; minute < 24 * 60; minute++) {
      const now = Date.now()
      // the user comes and goes; from hour 13 to 23 a long working day, past the absolute timeout
      if (minute >= 13 * 60 && minute < 23 * 60) {
        present = true
        presenceUntil = now + MIN
      } else if (now >= presenceUntil) {
        present = !present
        presenceUntil = now + (present ? between(5, 90) : between(5, 120)) * MIN
      }
      if (present && !signedIn()) {
        await tabs[0]!.keeper.login(ADA).catch(() => {})
        if (signedIn()) {
          logins += 1
          startedAt = lastActivity = Date.now()
          successes = []
        }
      }
      if (present && signedIn() && rand() < 0.7) {
        const t = pick(tabs.filter((x) => x.document.visibilityState === 'visible'))
        if (t) {
          t.window.dispatchEvent(
            new Event(pick(['pointermove', 'keydown', 'wheel', 'pointerdown'])),
          )
          lastActivity = Date.now()
          if (rand() < 0.4) void t.keeper.http.get('/api/data').catch(() => {})
        }
      }
      // a hostile world
      const r = rand()
      if (r < 0.01) api().failNext('refresh', 'network', between(1, 4))
      else if (r < 0.02) api().failNext('data', 503, between(1, 6))
      else if (r < 0.025) api().failNext('health', 503, between(1, 4))
      else if (r < 0.035) {
        api().setLatency('refresh', between(2_000, 9_000))
        latencyUntil = now + 10 * MIN
      } else if (r < 0.045 && present) {
        // the user switches away from a tab for a while
        const t = pick(tabs)
        t.document.visibilityState = 'hidden'
        t.document.dispatchEvent(new Event('visibilitychange'))
        t.hiddenUntil = now + between(10, 60) * MIN
      } else if (r < 0.048 && (minute < 13 * 60 || minute >= 23 * 60)) {
        // the device sleeps: the clock jumps, no timer fires; the user was away
        vi.setSystemTime(now + between(5, 120) * MIN)
        present = false
        presenceUntil = Date.now()
        for (const t of tabs) wake(t)
      }
      if (latencyUntil && now >= latencyUntil) {
        api().setLatency('refresh', 0)
        latencyUntil = 0
      }
      for (const t of tabs)
        if (t.hiddenUntil && now >= t.hiddenUntil && present) {
          t.hiddenUntil = 0
          wake(t)
        }
      if (minute === 12 * 60) api().rotateSecret({ keepOld: true })

      await vi.advanceTimersByTimeAsync(MIN)

      // every required logout happens on time
      const t = Date.now()
      if (signedIn() && t > lastActivity + IDLE + MIN + 10_000)
        violations.push(
          `${at()}: still signed in ${(t - lastActivity) / MIN} min after the last activity`,
        )
      if (signedIn() && t > startedAt + ABSOLUTE + MIN + 10_000)
        violations.push(`${at()}: past the absolute timeout`)
    }
    if (maxRefreshGapViolation) violations.push(maxRefreshGapViolation)

    // nothing left behind
    api().setLatency('refresh', 0)
    await vi.advanceTimersByTimeAsync(30_000)
    for (const t of tabs) t.keeper.destroy()
    await vi.advanceTimersByTimeAsync(30_000)
    const listeners = tabs.reduce((n, t) => n + t.window.listeners + t.document.listeners, 0)
    process.off('unhandledRejection', onUnhandled)
    responses.stop()

    const counts = api().counts
    console.log(
      `soak: 24 h simulated — ${logins} sign-ins, ${counts.refresh} refresh calls (${sessionRefreshes} succeeded), ` +
        `${counts.health} health checks, ${counts.data} API calls, logouts by reason ${JSON.stringify(logouts)}, ` +
        `${responses.seen.length} responses`,
    )
    expect(violations).toEqual([])
    expect(unhandled).toEqual([])
    expect(listeners).toBe(0)
    expect(vi.getTimerCount()).toBe(0)
    expect(logins).toBeGreaterThan(3)
    expect(logouts.idle ?? 0).toBeGreaterThan(1)
    expect(logouts['absolute-timeout'] ?? 0).toBeGreaterThan(0)
    expect(sessionRefreshes).toBeGreaterThan(20)
  },
  60_000,
)
