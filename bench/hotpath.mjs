// What each request costs: the interceptors against bare axios, both on an in-memory adapter (no
// network, so only client-side work is measured), and how often a request decrypts (must be 0:
// the plain session lives in memory; storage is read only at start and on a cross-tab change).
// Side by side in the same run, rounds interleaved: axios-auth-refresh set up as its README says
// (a request interceptor that reads the token, plus its 401 interceptor), with a valid token.
// Machines here are noisy: absolute µs move from run to run, the ratios within one run hold.
import axios from 'axios'
import { createAuthRefresh } from 'axios-auth-refresh'

const N = 2_000
const ROUNDS = 31
/**
 * What a request with a valid token may cost against bare axios in the same run: issue 18's
 * 1.05x. A one-line interceptor that only sets the header measures 1.05-1.07x here, since axios
 * runs an interceptor chain as promise steps and validates the header; session-keeper gets under
 * it by signing requests in a wrapper around the instance's adapter (no interceptor step on the
 * way out), remembering the scope decision per URL and building the header text once per token.
 * Measured at the budget's setting: 1.04x bare axios, 0.99x the header-only interceptor, 0.97x
 * axios-auth-refresh (runs on this loaded 2-core machine spread by about 0.02).
 */
export const HOT_PATH_BUDGET = 1.05

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

/**
 * CPU time per request, µs: the process's user + system time, which (unlike the wall clock) does
 * not count the time other processes on a shared machine hold the CPU.
 */
async function perRequest(http) {
  const t0 = process.cpuUsage()
  for (let i = 0; i < N; i++) await http.get('/api/data')
  const { user, system } = process.cpuUsage(t0)
  return (user + system) / N
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
  const clients = {
    bare,
    'session-keeper': http,
    'axios-auth-refresh': authRefreshClient(),
    'one-line header interceptor': headerOnlyClient(),
  }
  const names = Object.keys(clients)
  // warm up every path, then interleave rounds (each round in a rotated order) so that machine
  // noise hits all alike
  for (const name of names) await perRequest(clients[name])
  const times = Object.fromEntries(names.map((n) => [n, []]))
  counts.reads = 0
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(r + i) % names.length]
      times[name].push(await perRequest(clients[name]))
    }
  }
  const reads = counts.reads
  stop()
  keeper.destroy()
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  // Each client's rounds are compared with bare axios's round of the same rotation: neighbours in
  // time share the machine's load, so the median of these paired ratios is the steady figure.
  const ratio = (name) => median(times[name].map((t, r) => t / times.bare[r]))
  const base = median(times.bare)
  const rows = names.map((name) => ({
    client: name,
    'µs/req median': median(times[name]).toFixed(2),
    'µs/req fastest round': Math.min(...times[name]).toFixed(2),
    'extra µs/req': (median(times[name]) - base).toFixed(2),
    'vs bare axios (median of paired rounds)': `${ratio(name).toFixed(3)}×`,
    'vs bare axios (fastest rounds)': `${(Math.min(...times[name]) / Math.min(...times.bare)).toFixed(3)}×`,
  }))
  const ours = ratio('session-keeper')
  console.log(
    `\nHot path: ${N} sequential GETs with a valid token × ${ROUNDS} interleaved rounds on an in-memory` +
      ` adapter, CPU time; decrypts per request: ${(reads / (N * ROUNDS)).toFixed(4)}`,
  )
  console.table(rows)
  const vs = median(times['session-keeper'].map((t, r) => t / times['axios-auth-refresh'][r]))
  console.log(`session-keeper / axios-auth-refresh (median of paired rounds): ${vs.toFixed(3)}×`)
  check('decrypts per request = 0', reads === 0, reads)
  const overFloor = median(
    times['session-keeper'].map((t, r) => t / times['one-line header interceptor'][r]),
  )
  check(
    `a request with a valid token ≤ ${HOT_PATH_BUDGET}× bare axios`,
    ours <= HOT_PATH_BUDGET,
    `${ours.toFixed(3)}× (${overFloor.toFixed(3)}× a header-only interceptor)`,
  )
}

/**
 * The floor for any client that sends a bearer token from an interceptor: one line that sets the
 * header, nothing else (no scope check, no refresh). Sending the header is itself most of the
 * cost: axios then validates and normalizes one more header per request.
 */
function headerOnlyClient() {
  const client = axios.create({ baseURL: 'http://api.test', adapter })
  client.interceptors.request.use((request) => {
    request.headers['Authorization'] = 'Bearer opaque-access'
    return request
  })
  return client
}

/** axios-auth-refresh as its README sets it up, holding a valid token. */
function authRefreshClient() {
  const client = axios.create({ baseURL: 'http://api.test', adapter })
  // the README reads the token from localStorage on every request; Node has none, a Map stands in
  const tokens = new Map([['token', 'opaque-access']])
  client.interceptors.request.use((request) => {
    request.headers['Authorization'] = `Bearer ${tokens.get('token')}`
    return request
  })
  createAuthRefresh(client, (failedRequest) =>
    client.post('/api/auth/refresh', undefined, { skipAuthRefresh: true }).then((res) => {
      tokens.set('token', res.data.access_token)
      failedRequest.response.config.headers['Authorization'] = `Bearer ${res.data.access_token}`
    }),
  )
  return client
}
