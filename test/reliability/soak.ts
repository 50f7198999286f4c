import { expect, vi } from 'vitest'
import { decodeJwt, type SessionKeeper } from '../../src/index.js'
import { ADA, API, recordResponses, settle, type useMockApi, type User } from '../harness.js'
import { browser } from '../tabs.js'
import { tokenText, watchTokens } from './observe.js'

// 24 simulated hours of one browser with 3 tabs: a user who comes and goes, switches accounts,
// reloads pages and closes the browser, on a hostile network. Seeded, so a failure replays exactly.
// After every simulated minute: no tab on a user who is not the last one signed in, the tabs agree,
// no session past either deadline (idle, absolute), and every sign-out has a rule behind it. In
// token mode, no token text in storage or cross-tab messages.

export const MIN = 60_000
const HOUR = 60 * MIN
export const TTL = 15 * MIN
const IDLE = 30 * MIN
const ABSOLUTE = 8 * HOUR
const GRACE = { username: 'grace', password: 'hopper' }

/** A seeded stream of numbers in [0, 1) (mulberry32). */
export function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface SoakOptions {
  seed: number
  credentials: 'token' | 'cookie'
  /** How late storage writes reach the other tabs (Chromium). @default 0 */
  storageLagMs?: number
}

export async function soak(
  { server, api, makeKeeper }: ReturnType<typeof useMockApi>,
  { seed, credentials, storageLagMs = 0 }: SoakOptions,
): Promise<void> {
  const cookieMode = credentials === 'cookie'
  const rand = prng(seed)
  // The keepers' jitter and sign-in ids from a stream of their own: the same seed replays the
  // same run.
  const jitter = prng(seed ^ 0x5eed)
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!
  const between = (a: number, b: number) => a + Math.floor(rand() * (b - a))
  const unhandled: unknown[] = []
  const onUnhandled = (e: unknown) => unhandled.push(e)
  process.on('unhandledRejection', onUnhandled)
  const tokens = watchTokens(server)

  const b = browser({ storageLagMs })
  /** Each kind of violation once: when first seen, and how many minutes it was seen in. */
  const seen = new Map<string, { first: string; times: number }>()
  const violate = (what: string, detail = '') => {
    const v = seen.get(what) ?? { first: `${at()}${detail}`, times: 0 }
    v.times += 1
    seen.set(what, v)
  }
  const logouts: Record<string, number> = {}
  const t0 = Date.now()
  const at = () => `${((Date.now() - t0) / HOUR).toFixed(2)} h`
  let lastActivity = Date.now()
  let startedAt = 0
  let logins = 0
  let switches = 0
  let reloads = 0
  let restarts = 0
  let lastUser = ''
  let switchedAt = -Infinity
  let present = true
  let presenceUntil = Date.now() + 20 * MIN
  let latencyUntil = 0
  /**
   * Successful refreshes, by who made them: the browser in token mode (tabs share the new token
   * through storage), each tab in cookie mode (the access token lives in the page's memory only).
   */
  let successes = new Map<string, number[]>()
  let tabSeq = 0
  let sessionRefreshes = 0
  let maxRefreshGapViolation = ''
  const dead: Array<{
    window: EventTarget & { listeners: number }
    document: { listeners: number }
  }> = []

  type Tab = ReturnType<typeof b.tab> & {
    keeper: SessionKeeper<User>
    closePage(): void
    hiddenUntil: number
    id: string
  }
  function open(): Tab {
    const t = b.tab()
    const id = String(++tabSeq)
    const keeper = makeKeeper({
      ...t.options,
      environment: { ...t.options.environment, random: jitter },
      idleTimeout: IDLE,
      idleWarning: MIN,
      absoluteTimeout: ABSOLUTE,
      healthInterval: 5 * MIN,
      ...(cookieMode ? { credentials: 'cookie' as const, secret: undefined } : {}),
    })
    if (cookieMode) b.cookies.attach(keeper.http, API)
    keeper.http.interceptors.request.use((config) => {
      config.headers.set('x-soak-tab', id)
      return config
    })
    keeper.on('loggedOut', ({ reason }) => {
      if (process.env.SOAK_TRACE) console.log(at(), `tab ${id} loggedOut`, reason)
      logouts[reason] = (logouts[reason] ?? 0) + 1
      const now = Date.now()
      // no logout except for a rule that required it
      if (reason === 'idle' && now < lastActivity + IDLE - 10_000)
        violate(
          'idle logout before the idle deadline',
          ` (${(now - lastActivity) / MIN} min after activity)`,
        )
      else if (reason === 'absolute-timeout' && now < startedAt + ABSOLUTE - 10_000)
        violate(`early absolute timeout`)
      else if (reason === 'logout' && now - switchedAt > MIN) violate(`logout with no sign-out`)
      else if (!['idle', 'absolute-timeout', 'logout'].includes(reason))
        violate(`logout for ${reason}`)
    })
    const closePage = t.page(keeper)
    keeper.start()
    return { ...t, keeper, closePage, hiddenUntil: 0, id }
  }
  // What a page already sent goes out before it closes. (A destroyed keeper still finishes work
  // begun before destroy(): a request whose interceptor runs after the clock jump of a closed
  // browser would end the session, and tell the server, from a page that no longer exists.)
  const sendPending = async () => {
    for (let i = 0; i < 5; i++) await vi.advanceTimersByTimeAsync(0)
  }
  /** Tabs closed (their ids): a refresh answered after its page closed is lost with it. */
  const closed = new Set<string>()
  const close = (t: Tab) => {
    closed.add(t.id)
    t.closePage()
    dead.push(t)
  }
  const tabs = [open(), open(), open()]

  const responses = recordResponses(server)
  server.events.on('response:mocked', ({ request, response }) => {
    if (!request.url.endsWith('/api/auth/refresh') || response.status !== 200) return
    // A page closed while its refresh was on the way took the answer with it (as a reload does):
    // the next one is needed. (The server's reuse grace covers the spent token; see the README.)
    if (closed.has(request.headers.get('x-soak-tab') ?? '')) return
    const now = Date.now()
    // at most one refresh per token lifetime (minus the margin) per browser (token mode) or tab
    const who = cookieMode ? (request.headers.get('x-soak-tab') ?? '?') : 'browser'
    const mine = successes.get(who) ?? []
    const prev = mine.at(-1)
    if (prev !== undefined && now - prev < (TTL - MIN) * 0.9)
      maxRefreshGapViolation = `${at()}: ${(now - prev) / 1000} s`
    successes.set(who, [...mine, now])
    sessionRefreshes += 1
  })
  if (process.env.SOAK_TRACE) {
    // (claims only: a token's text never goes to a log)
    const jti = (cookie: string | null) =>
      decodeJwt(cookie?.match(/sk_refresh=([^;]+)/)?.[1] ?? '')?.jti ?? '-'
    const bodyJti = (r: Request | Response): Promise<string> =>
      r
        .json()
        .then((b: { refresh_token?: string }) =>
          String(decodeJwt(b?.refresh_token ?? '')?.jti ?? '-'),
        )
        .catch(() => '-')
    const sentJti = new Map<string, Promise<string>>()
    server.events.on('request:start', ({ request, requestId }) => {
      if (request.url.endsWith('/refresh')) sentJti.set(requestId, bodyJti(request.clone()))
    })
    server.events.on('response:mocked', async ({ request, requestId, response }) => {
      const time = at()
      const sent = sentJti.get(requestId)
      const got = sent ? bodyJti(response.clone()) : null
      const body = sent ? `body ${await sent} → ${await got}` : ''
      console.log(
        time,
        request.method,
        new URL(request.url).pathname,
        response.status,
        `tab ${request.headers.get('x-soak-tab')}`,
        `cookie ${jti(request.headers.get('cookie'))} → ${jti(response.headers.get('set-cookie'))}`,
        body,
      )
    })
  }
  const signedIn = () => tabs.some((t) => t.keeper.getSnapshot().status === 'authenticated')
  // A tab comes into view because the user looks at it: that is activity, as the keeper counts it.
  const wake = (t: Tab) => {
    t.document.visibilityState = 'visible'
    t.document.dispatchEvent(new Event('visibilitychange'))
    t.window.dispatchEvent(new Event('focus'))
    // (past the idle deadline it is not: the keeper must end the session instead)
    if (signedIn() && Date.now() < lastActivity + IDLE) lastActivity = Date.now()
  }
  const signIn = async (t: Tab, who: { username: string; password: string }) => {
    // the user waits for the answer while the clock runs (in cookie mode a sign-in waits for a
    // refresh or sign-out in flight in another tab: each answer sets the browser's one cookie)
    await settle(t.keeper.login(who), 50, 400).catch(() => {})
    if (t.keeper.getSnapshot().status !== 'authenticated') return
    logins += 1
    lastUser = who.username
    startedAt = lastActivity = Date.now()
    successes = new Map()
  }
  let loadingSince = new Map<Tab, number>()

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
    if (present && !signedIn()) await signIn(tabs[0]!, lastUser === 'grace' ? GRACE : ADA)
    if (present && signedIn() && rand() < 0.7) {
      const t = pick(tabs.filter((x) => x.document.visibilityState === 'visible'))
      if (t) {
        t.window.dispatchEvent(new Event(pick(['pointermove', 'keydown', 'wheel', 'pointerdown'])))
        lastActivity = Date.now()
        if (rand() < 0.4) void t.keeper.http.get('/api/data').catch(() => {})
      }
    }
    // a hostile world, and a user who switches accounts and reloads
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
    } else if (r < 0.068 && present && (minute < 13 * 60 || minute >= 23 * 60)) {
      // account switch: sign out, and at once sign in as the other user, in one visible tab
      const t = tabs.find((x) => x.document.visibilityState === 'visible') ?? tabs[0]!
      if (t.keeper.getSnapshot().status === 'authenticated') {
        switches += 1
        switchedAt = Date.now()
        void t.keeper.logout()
        await signIn(t, lastUser === 'grace' ? ADA : GRACE)
      }
    } else if (r < 0.078) {
      // a page reload: the keeper is destroyed and a new one starts on the same storage
      reloads += 1
      await sendPending()
      const i = Math.floor(rand() * tabs.length)
      close(tabs[i]!)
      tabs[i] = open()
    } else if (r < 0.081 && minute < 13 * 60) {
      // the browser is closed, and opened again later
      restarts += 1
      await sendPending()
      for (const t of tabs.splice(0)) close(t)
      vi.setSystemTime(Date.now() + between(5, 180) * MIN)
      present = false
      presenceUntil = Date.now()
      tabs.push(open(), open(), open())
    } else if (r < 0.085 && minute >= 13 * 60) {
      // the user reloads every tab (or restarts the browser at once): the session goes on
      reloads += tabs.length
      await sendPending()
      for (const [i, t] of tabs.entries()) {
        close(t)
        tabs[i] = open()
      }
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
      violate(
        'still signed in past the idle deadline',
        ` (${(t - lastActivity) / MIN} min after the last activity)`,
      )
    if (signedIn() && t > startedAt + ABSOLUTE + MIN + 10_000) violate(`past the absolute timeout`)
    // every tab on the last user signed in, or signed out; none loading for long
    const views = tabs.map((x) => {
      const s = x.keeper.getSnapshot()
      return s.status === 'authenticated' ? (s.user as User | null)?.username : s.status
    })
    for (const v of views)
      if (v !== 'unauthenticated' && v !== 'loading' && v !== lastUser)
        violate(`a tab on ${v}, but the last user signed in is ${lastUser}`)
    const settled = views.filter((v) => v !== 'loading')
    if (new Set(settled).size > 1) violate(`the tabs disagree: ${views.join(' | ')}`)
    loadingSince = new Map(
      tabs
        .filter((x) => x.keeper.getSnapshot().status === 'loading')
        .map((x) => [x, loadingSince.get(x) ?? t]),
    )
    for (const since of loadingSince.values())
      if (t - since > 2 * MIN) violate('a tab loading for more than 2 min')
  }
  if (maxRefreshGapViolation)
    violate('two refreshes within one token lifetime', ` (${maxRefreshGapViolation})`)

  // nothing left behind
  api().setLatency('refresh', 0)
  await vi.advanceTimersByTimeAsync(30_000)
  for (const t of tabs) close(t)
  await vi.advanceTimersByTimeAsync(30_000)
  const listeners = dead.reduce((n, t) => n + t.window.listeners + t.document.listeners, 0)
  process.off('unhandledRejection', onUnhandled)
  responses.stop()
  await tokens.drain()
  tokens.stop()
  const leaks = tokenText(tokens.tokens, [
    ...b.storage.writes.map((w, i): [string, string] => [
      `storage write ${i} (${w.key})`,
      String(w.value),
    ]),
    ...b.hub.sent.map((m, i): [string, string] => [`message ${i}`, JSON.stringify(m)]),
  ])

  const counts = api().counts
  console.log(
    `soak (${credentials}, seed ${seed}, storage lag ${storageLagMs} ms): 24 h simulated — ${logins} sign-ins, ` +
      `${switches} account switches, ${reloads} reloads, ${restarts} browser restarts, ` +
      `${counts.refresh} refresh calls (${sessionRefreshes} succeeded), ${counts.health} health checks, ` +
      `${counts.data} API calls, logouts by reason ${JSON.stringify(logouts)}, ${responses.seen.length} responses`,
  )
  const violations = [...seen].map(([what, v]) => `${v.first}: ${what} (${v.times}×)`)
  expect(violations).toEqual([])
  expect(leaks, 'token text in storage or messages').toEqual([])
  expect(unhandled).toEqual([])
  expect(listeners).toBe(0)
  expect(vi.getTimerCount()).toBe(0)
  expect(logins).toBeGreaterThan(3)
  expect(switches).toBeGreaterThan(2)
  expect(reloads).toBeGreaterThan(2)
  expect(logouts.idle ?? 0).toBeGreaterThan(1)
  expect(logouts['absolute-timeout'] ?? 0).toBeGreaterThan(0)
  expect(sessionRefreshes).toBeGreaterThan(20)
}
