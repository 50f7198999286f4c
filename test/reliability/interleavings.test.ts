import axios, { AxiosError, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios'
import fc from 'fast-check'
import { afterEach, expect, it, vi } from 'vitest'
import { createSessionKeeper } from '../../src/index.js'

// The interceptor against any interleaving of request starts, API answers (200/401/500),
// refresh answers (ok, rejected, 503, network) and time passing. A scripted adapter holds every
// request until the script answers it. Invariants: never two refresh calls in flight at once;
// never a request sent twice with the same token; at most one retry; nothing left unsettled.

type Pending = {
  config: InternalAxiosRequestConfig
  resolve: (v: unknown) => void
  reject: (e: unknown) => void
}

const op = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ t: 'start' as const }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('api' as const),
      pick: fc.nat(),
      status: fc.constantFrom(200, 200, 401, 500),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant('refresh' as const),
      outcome: fc.constantFrom('ok', 'ok', 'rejected', '503', 'network'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('tick' as const),
      ms: fc.integer({ min: 0, max: 40_000 }),
    }),
  },
)

afterEach(() => void vi.useRealTimers())

it('holds its invariants under any interleaving', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { maxLength: 30 }), async (ops) => {
      vi.useFakeTimers()
      const api: Pending[] = []
      const refreshes: Pending[] = []
      let maxRefreshInFlight = 0
      let issued = 0
      const sends = new Map<string, string[]>() // request id → tokens it was sent with
      const adapter = (config: InternalAxiosRequestConfig) =>
        new Promise((resolve, reject) => {
          const p = { config, resolve, reject }
          if (config.url?.endsWith('/refresh')) {
            refreshes.push(p)
            maxRefreshInFlight = Math.max(maxRefreshInFlight, refreshes.length)
          } else if (config.url?.endsWith('/login')) {
            resolve(
              reply(config, 200, {
                access_token: `t${++issued}`,
                refresh_token: 'r',
                expires_in: 60,
              }),
            )
          } else {
            const id = String(config.headers.get('x-id'))
            sends.set(id, [...(sends.get(id) ?? []), String(config.headers.get('Authorization'))])
            api.push(p)
          }
        })
      const reply = (config: InternalAxiosRequestConfig, status: number, data: unknown) => ({
        data,
        status,
        statusText: '',
        headers: {},
        config,
      })
      const answer = (p: Pending, status: number, data: unknown = {}) =>
        status < 400
          ? p.resolve(reply(p.config, status, data))
          : p.reject(
              new AxiosError(
                'failed',
                'ERR_BAD_RESPONSE',
                p.config,
                {},
                reply(p.config, status, data) as never,
              ),
            )
      const keeper = createSessionKeeper({
        baseURL: 'http://api.test',
        http: axios.create({ baseURL: 'http://api.test', adapter: adapter as AxiosAdapter }),
        storage: 'memory',
        crossTab: false,
        healthInterval: false,
        idleTimeout: false,
        absoluteTimeout: false,
        environment: { window: null, document: null, openChannel: null, locks: null },
      })
      keeper.start()
      await keeper.login({})
      let open = 0
      let n = 0
      const apply = async (o: (typeof ops)[number]) => {
        if (o.t === 'start') {
          open += 1
          void keeper.http
            .get('/api/x', { headers: { 'x-id': String(++n) } })
            .catch(() => {})
            .finally(() => (open -= 1))
        } else if (o.t === 'api' && api.length)
          answer(api.splice(o.pick % api.length, 1)[0]!, o.status)
        else if (o.t === 'refresh' && refreshes.length) {
          const p = refreshes.shift()!
          if (o.outcome === 'ok') answer(p, 200, { access_token: `t${++issued}`, expires_in: 60 })
          else if (o.outcome === 'rejected') answer(p, 401)
          else if (o.outcome === '503') answer(p, 503)
          else p.reject(new AxiosError('Network Error', 'ERR_NETWORK', p.config))
        } else if (o.t === 'tick') await vi.advanceTimersByTimeAsync(o.ms)
        await vi.advanceTimersByTimeAsync(0)
      }
      for (const o of ops) await apply(o)
      // drain: the network comes back and answers everything, and time goes on a little
      for (let i = 0; i < 200 && (api.length || refreshes.length || open); i++) {
        if (refreshes.length) await apply({ t: 'refresh', outcome: 'ok' })
        else if (api.length) await apply({ t: 'api', pick: 0, status: 200 })
        else await vi.advanceTimersByTimeAsync(500)
      }
      const settled = open === 0
      keeper.destroy()
      vi.useRealTimers()

      expect(maxRefreshInFlight).toBeLessThanOrEqual(1)
      for (const tokens of sends.values()) {
        expect(tokens.length).toBeLessThanOrEqual(2)
        expect(new Set(tokens).size).toBe(tokens.length)
      }
      expect(settled).toBe(true)
    }),
    { numRuns: 300 },
  )
})
