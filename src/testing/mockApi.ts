// createMockAuthApi: resolves the options, wires the server, its stored state and the contract's
// handlers together, and hands out the controls that make the server misbehave.
import { defaultEndpoints } from '../core/options.js'
import type { MockAuthApi, MockAuthApiOptions } from './api.js'
import { contractHandlers } from './handlers.js'
import { resolvePersist, stateStore } from './persist.js'
import { bearer, router } from './route.js'
import { defaultMockUsers, initialState, publicUser, type MockEndpoint } from './server.js'
import { MockAuthServer } from './tokens.js'

export type { MockAuthApi, MockAuthApiOptions } from './api.js'

/**
 * Creates MSW handlers that implement the whole backend contract: login, register (201), refresh
 * with refresh-token rotation and reuse detection, verify, profile, token-health, logout, plus a
 * protected sample resource. Works under `msw/node` and `msw/browser`.
 */
export function createMockAuthApi(options: MockAuthApiOptions = {}): MockAuthApi {
  const base = (options.baseURL ?? '').replace(/\/+$/, '')
  const now = options.now ?? (() => Date.now())
  const users = options.users ?? defaultMockUsers
  const ttl = {
    access: options.accessTtlMs ?? 900_000,
    refresh: options.refreshTtlMs ?? 604_800_000,
    reuseGrace: options.reuseGraceMs ?? 5_000,
  }
  const fresh = () => initialState(users, `mock-${Math.random().toString(36).slice(2)}`)
  const server = new MockAuthServer(fresh(), now, ttl)
  const { persist, adopt } = resolvePersist(options.persist, base)
  const store = stateStore(server, persist, adopt)
  const { load, mutate } = store
  const handlers = contractHandlers({
    server,
    route: router(server, store),
    base,
    endpoints: { ...defaultEndpoints, ...options.endpoints },
    dataPath: options.dataPath ?? '/api/data',
    cookieMode: options.credentials === 'cookie',
    refreshTtlMs: ttl.refresh,
    now,
  })

  return {
    handlers,
    get counts() {
      load()
      return { ...server.state.counts }
    },
    rotateSecret: ({ keepOld = true } = {}) => mutate(() => server.rotateSecret(keepOld)),
    revokeAll: () => mutate(() => server.revokeAll()),
    restart: ({ keepSessions = false } = {}) => mutate(() => server.restart(keepSessions)),
    failNext: (endpoint, failure, times = 1) =>
      mutate(() => {
        server.state.failures[endpoint] = { with: failure, remaining: times }
      }),
    setLatency: (endpoint, ms) =>
      mutate(() => {
        server.state.latency[endpoint] = ms
      }),
    resetCounts: () =>
      mutate(() => {
        for (const k of Object.keys(server.state.counts)) server.state.counts[k as MockEndpoint] = 0
      }),
    reset: () =>
      mutate(() => {
        server.state = fresh()
      }),
    authorize(request) {
      load()
      const check = server.check(bearer(request), 'access')
      return check.ok ? publicUser(check.user) : null
    },
  }
}
