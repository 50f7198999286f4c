// What each request costs: the interceptors against bare axios, both on an in-memory adapter (no
// network, so only client-side work is measured), and how often a request decrypts (must be 0:
// the plain session lives in memory; storage is read only at start and on a cross-tab change).
import axios from 'axios'

const N = 20_000
const ROUNDS = 5

const adapter = async (config) => {
  const url = config.url ?? ''
  const data = url.endsWith('/api/auth/login')
    ? {
        access_token: 'opaque-access',
        refresh_token: 'opaque-refresh',
        expires_in: 3600,
        user: { id: 1 },
      }
    : { ok: true }
  return { data, status: 200, statusText: 'OK', headers: {}, config, request: {} }
}

/** A storage that counts reads: every decrypt starts with one. */
function countingStorage() {
  const items = new Map()
  const counts = { reads: 0 }
  return {
    counts,
    storage: {
      getItem: (k) => (counts.reads++, items.get(k) ?? null),
      setItem: (k, v) => void items.set(k, v),
      removeItem: (k) => void items.delete(k),
    },
  }
}

async function perRequest(http) {
  const t0 = performance.now()
  for (let i = 0; i < N; i++) await http.get('/api/data')
  return ((performance.now() - t0) * 1000) / N // µs
}

export async function runHotPath(lib, check) {
  const bare = axios.create({ baseURL: 'http://api.test', adapter })
  const http = axios.create({ baseURL: 'http://api.test', adapter })
  const { storage, counts } = countingStorage()
  const keeper = lib.createSessionKeeper({
    baseURL: 'http://api.test',
    http,
    storage,
    secret: 'bench-secret-0123456789abcdef',
    crossTab: false,
    healthInterval: false,
    idleTimeout: false,
    verifyOnRestore: false,
    environment: { window: null, document: null, openChannel: null, locks: null },
  })
  const stop = keeper.start()
  await keeper.login({ username: 'bench', password: 'x' })
  // warm up both paths, then alternate rounds so machine noise hits both alike
  await perRequest(bare)
  await perRequest(http)
  const ours = []
  const base = []
  counts.reads = 0
  for (let r = 0; r < ROUNDS; r++) {
    base.push(await perRequest(bare))
    ours.push(await perRequest(http))
  }
  const reads = counts.reads
  stop()
  keeper.destroy()
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const row = {
    'bare axios µs/req': median(base).toFixed(2),
    'with session-keeper µs/req': median(ours).toFixed(2),
    ratio: (median(ours) / median(base)).toFixed(2),
    'decrypts per request': (reads / (N * ROUNDS)).toFixed(4),
  }
  console.log(
    `\nHot path: ${N} sequential GETs × ${ROUNDS} rounds on an in-memory adapter (median round)`,
  )
  console.table([row])
  check('decrypts per request = 0', reads === 0, reads)
  check(
    'interceptors cost ≤ 3× bare axios per request',
    median(ours) / median(base) <= 3,
    row.ratio,
  )
}
