// N concurrent requests on an expired token: session-keeper against a hand-written interceptor
// (refresh on every 401), both on the same loopback server. Plus: requests issued while a slow
// refresh is in flight must never carry the token being replaced.
import axios from 'axios'
import { startAuthServer } from './server.mjs'

const TTL_S = 600

function skewableClock() {
  let offset = 0
  return {
    clock: {
      now: () => Date.now() + offset,
      schedule(fn, ms) {
        const t = setTimeout(fn, ms)
        t.unref()
        return () => clearTimeout(t)
      },
    },
    jump: (ms) => (offset += ms),
  }
}

function makeKeeper(lib, url, clock) {
  const keeper = lib.createSessionKeeper({
    baseURL: url,
    storage: 'memory',
    crossTab: false,
    healthInterval: false,
    idleTimeout: false,
    absoluteTimeout: false,
    verifyOnRestore: false,
    clock,
    environment: { window: null, document: null, openChannel: null, locks: null },
  })
  keeper.start()
  return keeper
}

async function burst(n, send) {
  const t0 = performance.now()
  const results = await Promise.allSettled(Array.from({ length: n }, send))
  return {
    ms: performance.now() - t0,
    failed: results.filter((r) => r.status === 'rejected').length,
  }
}

async function ours(lib, server, n) {
  const { clock, jump } = skewableClock()
  const keeper = makeKeeper(lib, server.url, clock)
  await keeper.login({ username: 'bench', password: 'x' })
  jump(TTL_S * 1000 + 1) // the client sees the token expired…
  server.expire() // …and so does the server
  server.resetStats()
  const { ms, failed } = await burst(n, () => keeper.http.get('/api/data'))
  keeper.destroy()
  return {
    refresh: server.stats.refresh,
    failed,
    hits: server.stats.refresh + server.stats.data,
    ms,
  }
}

/** The interceptor most apps write first: refresh on every 401, retry once. */
async function naive(server, n) {
  const http = axios.create({ baseURL: server.url })
  let tokens = (await http.post('/api/auth/login', {})).data
  http.interceptors.request.use((c) => {
    c.headers.Authorization = `Bearer ${tokens.access_token}`
    return c
  })
  http.interceptors.response.use(undefined, async (error) => {
    if (error.response?.status !== 401 || error.config._retried) throw error
    error.config._retried = true
    tokens = (
      await axios.post(`${server.url}/api/auth/refresh`, { refresh_token: tokens.refresh_token })
    ).data
    return http.request(error.config)
  })
  server.expire()
  server.resetStats()
  const { ms, failed } = await burst(n, () => http.get('/api/data'))
  return {
    refresh: server.stats.refresh,
    failed,
    hits: server.stats.refresh + server.stats.data,
    ms,
  }
}

async function staleDuringSlowRefresh(lib) {
  const server = await startAuthServer({ refreshDelayMs: 200, ttlSeconds: TTL_S })
  try {
    const { clock, jump } = skewableClock()
    const keeper = makeKeeper(lib, server.url, clock)
    await keeper.login({})
    jump(TTL_S * 1000 - 30_000) // inside the refresh margin, still valid
    server.resetStats()
    const first = keeper.http.get('/api/data')
    await new Promise((r) => setTimeout(r, 50)) // the refresh is now in flight on the server
    const rest = Array.from({ length: 50 }, () => keeper.http.get('/api/data'))
    await Promise.allSettled([first, ...rest])
    keeper.destroy()
    return { requests: 51, refresh: server.stats.refresh, stale: server.stats.staleData }
  } finally {
    await server.close()
  }
}

export async function runStampede(lib, check) {
  const rows = []
  const server = await startAuthServer({ ttlSeconds: TTL_S })
  try {
    for (const n of [1, 10, 100, 500]) {
      const a = await ours(lib, server, n)
      const b = await naive(server, n)
      rows.push({
        N: n,
        'refresh calls': a.refresh,
        'failed requests': a.failed,
        'server hits': `${a.hits} (N+1 = ${n + 1})`,
        'wall ms': a.ms.toFixed(1),
        'naive: refresh calls': b.refresh,
        'naive: failed': b.failed,
      })
      check(`stampede N=${n}: one refresh call`, a.refresh === 1, a.refresh)
      check(`stampede N=${n}: no failed request`, a.failed === 0, a.failed)
      check(`stampede N=${n}: server hits = N + 1`, a.hits === n + 1, a.hits)
    }
  } finally {
    await server.close()
  }
  console.log('\nStampede: N concurrent requests on an expired token (loopback HTTP server)')
  console.table(rows)
  const slow = await staleDuringSlowRefresh(lib)
  console.log('Requests issued while a 200 ms refresh is in flight:')
  console.table([slow])
  check('no request sent with the token being replaced', slow.stale === 0, slow.stale)
  check('one refresh for the slow-refresh burst', slow.refresh === 1, slow.refresh)
}
