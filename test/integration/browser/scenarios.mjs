// Real servers in real Chromium: the page on http://localhost:P1, the API on http://localhost:P2
// (same site, other origin: CORS applies, SameSite cookies still flow). Real timers, so every wait
// is a bounded poll on a condition; each scenario gets a fresh browser profile and its own API.
import assert from 'node:assert/strict'
import { apiState, openTab, setLatency, settledStatus, until } from './harness.mjs'

const TTL = 3_000 // access-token lifetime
const MARGIN = 1_000 // refresh this long before expiry: one refresh every TTL - MARGIN
const STRICT_COOKIE = 'Path=/api/auth; HttpOnly; Secure; SameSite=Strict'

const pageURL = (page, api, mode, { pageHost = 'localhost', apiHost = 'localhost' } = {}) =>
  `${page.origin(pageHost)}/?api=${encodeURIComponent(api.url(apiHost))}&mode=${mode}&margin=${MARGIN}`

const drive = (page, fn, arg) => page.evaluate(fn, arg)
const login = async (page) => {
  const r = await drive(page, () => window.sk.login())
  assert.ok(r.ok, `sign-in failed: ${r.code}`)
}
const status = (page) => drive(page, () => window.sk.snapshot().status)

/** Three tabs signed in to one token-mode session, with the app calling the API in each. */
async function threeTabs({ context, page, startApi }, { refreshLatency = 0, ...apiOptions }) {
  const api = await startApi({ credentials: 'token', accessTtlMs: TTL, ...apiOptions })
  if (refreshLatency) await setLatency(api, 'refresh', refreshLatency)
  const url = pageURL(page, api, 'token')
  const tabs = [await openTab(context, url)]
  await login(tabs[0])
  for (let i = 0; i < 2; i++) tabs.push(await openTab(context, url))
  for (const tab of tabs) assert.equal((await settledStatus(tab)).status, 'authenticated')
  for (const tab of tabs) await drive(tab, () => window.sk.startTraffic(200))
  return { api, tabs }
}

/**
 * A tab dies while its refresh is at the server: the server has rotated the refresh token, the
 * answer (the only copy of the new one) dies with the tab. Returns what the survivors then did.
 */
async function tabClosedMidRefresh(t, reuseGraceMs) {
  // The first refresh is answered later than the test waits: the answer never comes.
  const { api, tabs } = await threeTabs(t, { reuseGraceMs, refreshLatency: 10_000 })
  let refresher = null
  for (const tab of tabs)
    tab.on('request', (r) => {
      if (r.url().endsWith('/api/auth/refresh')) refresher ??= tab
    })
  await until(
    async () => refresher && (await apiState(api)).refreshLog.length === 1,
    'a tab to send its refresh and the server to rotate',
    TTL + 2_000,
  )
  await refresher.close() // mid-refresh: its Web Lock is released, its answer is lost
  await setLatency(api, 'refresh', 0)
  const survivors = tabs.filter((tab) => tab !== refresher)
  await until(
    async () => (await apiState(api)).refreshLog.length >= 2,
    'a surviving tab to refresh with the refresh token it holds',
    5_000,
  )
  // How long after the rotation the replaced token came back: what a grace window must cover.
  const [rotated, reused] = (await apiState(api)).refreshLog
  return { api, survivors, reuseAfterMs: reused.at - rotated.at }
}

/**
 * One tab; the server commits its first refresh (rotates) but answers after the client's
 * `refreshTimeout`: the client counts it as a transient failure and retries, with the replaced
 * refresh token, after its first backoff delay.
 */
async function refreshAnsweredTooLate({ context, page, startApi }, reuseGraceMs) {
  const api = await startApi({ credentials: 'token', accessTtlMs: TTL, reuseGraceMs })
  await setLatency(api, 'refresh', 2_500, 1)
  const tab = await openTab(context, pageURL(page, api, 'token') + '&refreshTimeout=1000')
  await login(tab)
  await drive(tab, () => window.sk.startTraffic(200))
  await until(
    async () => (await apiState(api)).refreshLog.length >= 2,
    'the client to retry its refresh',
    3 * TTL,
  )
  const [rotated, retried] = (await apiState(api)).refreshLog
  return { api, tab, retryAfterMs: retried.at - rotated.at }
}

export const scenarios = {
  async 'token mode, three tabs over three token lifetimes: one refresh per token for the whole browser, no 401 reaches the app'(
    t,
  ) {
    const { api, tabs } = await threeTabs(t, { reuseGraceMs: 2_000 })
    // Three lifetimes: a refresh every TTL - MARGIN makes four in 3 * TTL. Then every tab must
    // have made calls since the last one.
    await until(
      async () => (await apiState(api)).refreshLog.length >= 4,
      'four refreshes',
      3 * TTL + 1_000,
    )
    const okBefore = await Promise.all(tabs.map((tab) => drive(tab, () => window.sk.traffic().ok)))
    await until(
      async () =>
        (await Promise.all(tabs.map((tab) => drive(tab, () => window.sk.traffic().ok)))).every(
          (ok, i) => ok > okBefore[i] + 2,
        ),
      'each tab to make calls with the newest token',
    )
    const traffic = await Promise.all(tabs.map((tab) => drive(tab, () => window.sk.stopTraffic())))
    const state = await apiState(api)

    // One refresh per token: each one presented the current refresh token (no tab sent a replaced
    // one), each came TTL - MARGIN after the token it replaced, and no 401 was ever answered.
    const period = TTL - MARGIN
    assert.deepEqual(
      state.refreshLog.map((r) => r.outcome),
      state.refreshLog.map(() => 'rotated'),
      'a tab refreshed with a replaced refresh token',
    )
    const times = [state.logins[0], ...state.refreshLog.map((r) => r.at)]
    const gaps = times.slice(1).map((at, i) => at - times[i])
    for (const [i, gap] of gaps.entries()) {
      assert.ok(
        gap > period - 300 && gap < period + 700,
        `refresh ${i} came ${gap} ms after the last`,
      )
    }
    assert.equal(state.counts.login, 1)
    assert.equal(state.counts.refresh, state.refreshLog.length)
    assert.equal(state.statuses['data 401'] ?? 0, 0, 'the server answered a 401')
    const refreshedEvents = (
      await Promise.all(
        tabs.map((tab) =>
          drive(tab, () => window.sk.events().filter((e) => e.type === 'refreshed')),
        ),
      )
    ).flat()
    assert.equal(refreshedEvents.length, state.refreshLog.length, 'refreshes seen by the tabs')
    for (const [i, r] of traffic.entries()) {
      assert.deepEqual(r.failed, [], `tab ${i}: calls that failed`)
      assert.ok(r.ok >= (3 * TTL) / 200 / 2, `tab ${i}: only ${r.ok} calls`)
    }
    return { refreshes: state.refreshLog.length, gaps, calls: traffic.map((r) => r.ok) }
  },

  async 'token mode, a tab closed in the middle of a slow refresh: the others stay signed in (2 s reuse grace)'(
    t,
  ) {
    const { api, survivors, reuseAfterMs } = await tabClosedMidRefresh(t, 2_000)
    const { refreshLog } = await apiState(api)
    // The survivor's refresh token was the one the dead tab had rotated: accepted within the grace.
    assert.deepEqual(
      refreshLog.slice(0, 2).map((r) => r.outcome),
      ['rotated', 'grace'],
    )
    // Both survivors carry on past the old token's expiry, through later refreshes.
    const after = Date.now() + TTL
    await until(
      async () =>
        (await Promise.all(survivors.map((tab) => drive(tab, () => window.sk.snapshot())))).every(
          (s) => s.status === 'authenticated' && s.expiresAt > after,
        ),
      'both survivors to hold a token newer than the lost one',
      2 * TTL,
    )
    const counted = await Promise.all(
      survivors.map((tab) => drive(tab, () => window.sk.traffic().ok)),
    )
    await until(
      async () =>
        (await Promise.all(survivors.map((tab) => drive(tab, () => window.sk.traffic().ok)))).every(
          (ok, i) => ok > counted[i] + 2,
        ),
      'both survivors to make calls with the new token',
    )
    const traffic = await Promise.all(
      survivors.map((tab) => drive(tab, () => window.sk.stopTraffic())),
    )
    for (const [i, r] of traffic.entries())
      assert.deepEqual(r.failed, [], `survivor ${i}: failed calls`)
    const state = await apiState(api)
    assert.ok(state.refreshLog.slice(2).every((r) => r.outcome === 'rotated'))
    return {
      refreshLog: state.refreshLog.map((r) => r.outcome),
      reuseAfterMs,
      calls: traffic.map((r) => r.ok),
    }
  },

  async 'token mode, a tab closed in the middle of a slow refresh, server with no reuse grace (like SimpleJWT): every tab is signed out, cleanly'(
    t,
  ) {
    // Measured, not wished for: the new refresh token died with the tab and the one every other
    // tab holds is now a replaced token. Nothing a client can do brings the session back; what it
    // must do is end it at once in every tab, with the reason, and not retry in a loop.
    const { api, survivors, reuseAfterMs } = await tabClosedMidRefresh(t, 0)
    await until(
      async () => (await Promise.all(survivors.map(status))).every((s) => s === 'unauthenticated'),
      'both survivors to be signed out',
    )
    for (const tab of survivors) {
      assert.equal(await drive(tab, () => window.sk.snapshot().reason), 'refresh-rejected')
    }
    const state = await apiState(api)
    assert.deepEqual(
      state.refreshLog.map((r) => r.outcome),
      ['rotated', 'reuse-revoked'],
      'one refused refresh for the whole browser',
    )
    const failed = (
      await Promise.all(survivors.map((tab) => drive(tab, () => window.sk.stopTraffic().failed)))
    ).flat()
    // What the app saw: calls waiting on the refused refresh end with session_expired; a call made
    // after the end goes out without a token and gets the server's 401. Nothing else.
    assert.ok(failed.every((f) => f.code === 'session_expired' || f.status === 401))
    return {
      refreshLog: state.refreshLog.map((r) => r.outcome),
      reuseAfterMs,
      failedCalls: failed.length,
      failedCodes: [...new Set(failed.map((f) => f.code ?? f.status))],
    }
  },

  async 'token mode, a refresh the server committed but answered after refreshTimeout: the retry is taken within a 5 s reuse grace'(
    t,
  ) {
    const { api, tab, retryAfterMs } = await refreshAnsweredTooLate(t, 5_000)
    // The session lives on: later tokens, later refreshes, calls succeeding again.
    const after = Date.now() + TTL
    await until(
      async () => (await drive(tab, () => window.sk.snapshot())).expiresAt > after,
      'the tab to hold a token from the retried refresh',
      2 * TTL,
    )
    const counted = await drive(tab, () => window.sk.traffic().ok)
    await until(
      async () => (await drive(tab, () => window.sk.traffic().ok)) > counted + 2,
      'calls to succeed with the new token',
    )
    const traffic = await drive(tab, () => window.sk.stopTraffic())
    const state = await apiState(api)
    assert.deepEqual(
      state.refreshLog.slice(0, 2).map((r) => r.outcome),
      ['rotated', 'grace'],
    )
    assert.equal(await status(tab), 'authenticated')
    // What the app saw while the refresh hung: calls waiting on it may give up (refresh_unavailable)
    // rather than wait; never a 401, never the end of the session.
    assert.ok(traffic.failed.every((f) => f.code === 'refresh_unavailable'))
    return {
      refreshLog: state.refreshLog.map((r) => r.outcome),
      retryAfterMs,
      failedCalls: traffic.failed.length,
      okCalls: traffic.ok,
    }
  },

  async 'token mode, a refresh the server committed but answered after refreshTimeout, no reuse grace (like SimpleJWT): the retry ends the session'(
    t,
  ) {
    const { api, tab, retryAfterMs } = await refreshAnsweredTooLate(t, 0)
    await until(async () => (await status(tab)) === 'unauthenticated', 'the session to end')
    assert.equal(await drive(tab, () => window.sk.snapshot().reason), 'refresh-rejected')
    const state = await apiState(api)
    assert.deepEqual(
      state.refreshLog.map((r) => r.outcome),
      ['rotated', 'reuse-revoked'],
    )
    return { refreshLog: state.refreshLog.map((r) => r.outcome), retryAfterMs }
  },

  async 'cookie mode, API on another origin with credentials: no readable cookie, a reload restores, sign-out in one tab signs out the other and kills the cookie'({
    context,
    page,
    startApi,
  }) {
    const api = await startApi({
      credentials: 'cookie',
      accessTtlMs: TTL,
      cookieAttributes: STRICT_COOKIE,
    })
    const url = pageURL(page, api, 'cookie')
    const refreshCookie = async () =>
      (await context.cookies(api.url() + '/api/auth/refresh')).find((c) => c.name === 'sk_refresh')
    const a = await openTab(context, url)
    assert.equal((await settledStatus(a)).status, 'unauthenticated')
    const answer = a.waitForResponse((r) => r.url().endsWith('/api/auth/login'))
    await login(a)
    const loginBody = await (await answer).json()
    assert.ok(loginBody.access_token && !('refresh_token' in loginBody))

    // The browser holds the refresh token, and nothing the page's script can reach does.
    const cookie = await refreshCookie()
    assert.ok(cookie, 'the browser kept no refresh cookie')
    assert.deepEqual(
      [cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path],
      [true, true, 'Strict', '/api/auth'],
    )
    const visible = await drive(a, () =>
      JSON.stringify([document.cookie, { ...localStorage }, { ...sessionStorage }]),
    )
    assert.ok(!visible.includes('sk_refresh') && !visible.includes(cookie.value.split('.')[2]))
    assert.ok(!visible.includes(loginBody.access_token.split('.')[2]), 'the access token is stored')
    assert.equal(await drive(a, () => document.cookie), '')
    assert.equal((await drive(a, () => window.sk.request(3))).ok, 3)

    // A reload, and a second tab: both signed in by the cookie alone, no second sign-in.
    await a.reload()
    await a.waitForFunction(() => window.sk !== undefined)
    const restored = await settledStatus(a)
    assert.equal(restored.status, 'authenticated')
    assert.equal(restored.user?.name, 'Ada Lovelace')
    const b = await openTab(context, url)
    assert.equal((await settledStatus(b)).status, 'authenticated')
    assert.equal((await apiState(api)).counts.login, 1)

    // Both tabs work on through a token lifetime (each refreshes by the shared cookie jar).
    for (const tab of [a, b]) await drive(tab, () => window.sk.startTraffic(200))
    const expiries = () =>
      Promise.all([a, b].map((tab) => drive(tab, () => window.sk.snapshot().expiresAt)))
    const first = await until(
      async () => ((await expiries()).every((at) => at !== null) ? expiries() : null),
      'both tabs to hold an access token',
    )
    await until(
      async () => (await expiries()).every((at, i) => at > first[i]),
      'both tabs to refresh it by the cookie',
      2 * TTL,
    )
    const traffic = await Promise.all(
      [a, b].map((tab) => drive(tab, () => window.sk.stopTraffic())),
    )
    for (const r of traffic) assert.deepEqual(r.failed, [], 'a call failed in cookie mode')
    // Cookie mode shares no token between tabs: each tab refreshes its own access token by the
    // shared cookie, one after the other under the lock (measured, reported).
    const refreshedByTab = await Promise.all(
      [a, b].map((tab) =>
        drive(tab, () => window.sk.events().filter((e) => e.type === 'refreshed').length),
      ),
    )
    const mid = await apiState(api)
    assert.ok(mid.refreshLog.filter((r) => r.cookie).every((r) => r.outcome === 'rotated'))

    // Sign-out in tab A: tab B follows, the jar loses the cookie, the server kills it.
    const before = (await refreshCookie()).value
    await drive(a, () => window.sk.logout())
    await until(async () => (await status(b)) === 'unauthenticated', 'tab B to be signed out')
    assert.equal(await drive(b, () => window.sk.snapshot().reason), 'logout')
    assert.equal(await refreshCookie(), undefined, 'the browser still holds the refresh cookie')
    const fromPage = await drive(
      b,
      (apiURL) =>
        fetch(apiURL + '/api/auth/refresh', { method: 'POST', credentials: 'include' }).then(
          (r) => r.status,
        ),
      api.url(),
    )
    assert.equal(fromPage, 401, 'a refresh by the browser after sign-out')
    const replayed = await fetch(api.url('127.0.0.1') + '/api/auth/refresh', {
      method: 'POST',
      headers: { cookie: `sk_refresh=${before}` },
    })
    assert.equal(replayed.status, 401, 'the old cookie, replayed, still refreshes')
    await b.reload()
    await b.waitForFunction(() => window.sk !== undefined)
    assert.equal((await settledStatus(b)).status, 'unauthenticated')
    const end = await apiState(api)
    // Measured: a page restored by the cookie holds no access token until its first call meets a
    // 401 and refreshes (invisible to the app); at most one such 401 per restored page (a and b).
    assert.ok(
      (end.statuses['data 401'] ?? 0) <= 2,
      `${end.statuses['data 401']} API calls met a 401`,
    )
    return {
      counts: end.counts,
      refreshes: end.refreshLog.length,
      refreshedByTab,
      data401: end.statuses['data 401'] ?? 0,
      preflights: end.preflights,
    }
  },

  async 'README check: page and API on different sites (127.0.0.1 vs localhost): Chromium keeps no refresh cookie, SameSite=Lax or None; Secure, so a reload cannot restore'({
    context,
    page,
    startApi,
  }) {
    // Cross-site, cookie mode depends on third-party cookies: Lax is never sent cross-site, and
    // this Chromium blocks third-party cookies, so None; Secure fares no better.
    const pageOrigin = page.origin('127.0.0.1')
    for (const cookieAttributes of [
      'Path=/api/auth; HttpOnly; SameSite=Lax',
      'Path=/api/auth; HttpOnly; Secure; SameSite=None',
    ]) {
      const api = await startApi({
        credentials: 'cookie',
        accessTtlMs: TTL,
        pageOrigin,
        cookieAttributes,
      })
      const tab = await openTab(context, pageURL(page, api, 'cookie', { pageHost: '127.0.0.1' }))
      await settledStatus(tab)
      await login(tab) // CORS lets the answer through, with its access token
      assert.equal((await drive(tab, () => window.sk.request(1))).ok, 1)
      const jar = await context.cookies(api.url() + '/api/auth/refresh')
      assert.deepEqual(jar, [], `Chromium kept a cross-site cookie (${cookieAttributes})`)
      await tab.reload()
      await tab.waitForFunction(() => window.sk !== undefined)
      assert.equal((await settledStatus(tab)).status, 'unauthenticated', cookieAttributes)
      await tab.close()
    }
  },

  async 'README check: Access-Control-Allow-Origin "*" with credentials: Chromium refuses, sign-in reports unavailable'({
    context,
    page,
    startApi,
  }) {
    const api = await startApi({ credentials: 'cookie', accessTtlMs: TTL, cors: 'wildcard' })
    const tab = await openTab(context, pageURL(page, api, 'cookie'))
    await settledStatus(tab)
    const r = await drive(tab, () => window.sk.login())
    assert.deepEqual(r, { ok: false, code: 'unavailable' })
    // Refused at the preflight: the sign-in itself never reached the server.
    assert.equal((await apiState(api)).counts.login, 0)
  },
}
