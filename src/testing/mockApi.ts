import { HttpResponse, delay, http, type HttpHandler } from 'msw'
import { defaultEndpoints } from '../core/options.js'
import type { MockAuthApi, MockAuthApiOptions } from './api.js'
import { resolvePersist, stateStore } from './persist.js'
import {
  defaultMockUsers,
  initialState,
  publicUser,
  type MockEndpoint,
  type MockUser,
} from './server.js'
import { MockAuthServer } from './tokens.js'

export type { MockAuthApi, MockAuthApiOptions } from './api.js'

const bearer = (request: Request) => {
  const h = request.headers.get('authorization')
  return h?.startsWith('Bearer ') ? h.slice(7) : null
}
const REFRESH_COOKIE = 'sk_refresh'
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  HttpResponse.json(body as Record<string, unknown>, {
    status,
    headers: { 'Cache-Control': 'no-store', ...headers },
  })
const unauthorized = (why: string) => json({ error: 'unauthorized', reason: why }, 401)

/**
 * Creates MSW handlers that implement the whole backend contract: login, register (201), refresh
 * with refresh-token rotation and reuse detection, verify, profile, token-health, logout, plus a
 * protected sample resource. Works under `msw/node` and `msw/browser`.
 */
export function createMockAuthApi(options: MockAuthApiOptions = {}): MockAuthApi {
  const base = (options.baseURL ?? '').replace(/\/+$/, '')
  const ep = { ...defaultEndpoints, ...options.endpoints }
  const now = options.now ?? (() => Date.now())
  const cookieMode = options.credentials === 'cookie'
  const users = options.users ?? defaultMockUsers
  const ttl = {
    access: options.accessTtlMs ?? 900_000,
    refresh: options.refreshTtlMs ?? 604_800_000,
    reuseGrace: options.reuseGraceMs ?? 5_000,
  }
  const fresh = () => initialState(users, `mock-${Math.random().toString(36).slice(2)}`)
  const server = new MockAuthServer(fresh(), now, ttl)
  const { persist, adopt } = resolvePersist(options.persist, base)

  const { load, save, mutate } = stateStore(server, persist, adopt)

  const refreshCookie = (token: string) =>
    `${REFRESH_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.round(ttl.refresh / 1000)}`
  const clearCookie = `${REFRESH_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`

  /** Counts the call, applies a queued failure or latency, then runs the handler. */
  const route =
    (
      name: MockEndpoint,
      handle: (request: Request, cookies: Record<string, string>) => Promise<Response> | Response,
    ) =>
    async ({ request, cookies }: { request: Request; cookies: Record<string, string> }) => {
      load()
      server.state.counts[name] += 1
      const queued = server.state.failures[name]
      const failure = queued && queued.remaining > 0 ? queued.with : null
      if (queued && --queued.remaining <= 0) delete server.state.failures[name]
      const latency = server.state.latency[name] ?? 0
      save()
      if (latency > 0) await delay(latency)
      if (failure === 'network') return HttpResponse.error()
      if (failure !== null) return json({ error: 'unavailable' }, failure)
      load()
      const response = await handle(request, cookies)
      save()
      return response
    }

  const tokenBody = (
    t: { access_token: string; refresh_token: string; expires_in: number },
    user?: MockUser,
  ) => ({
    access_token: t.access_token,
    token_type: 'Bearer',
    expires_in: t.expires_in,
    ...(cookieMode ? {} : { refresh_token: t.refresh_token }),
    ...(user ? { user: publicUser(user) } : {}),
  })
  const signedIn = (user: MockUser, status: number) => {
    const t = server.openSession(user)
    return json(
      tokenBody(t, user),
      status,
      cookieMode ? { 'Set-Cookie': refreshCookie(t.refresh_token) } : {},
    )
  }
  const readBody = async (request: Request) =>
    ((await request.json().catch(() => null)) ?? {}) as Record<string, unknown>

  const handlers: HttpHandler[] = [
    http.post(
      base + ep.login,
      route('login', async (request) => {
        const body = await readBody(request)
        const id = body.username ?? body.email
        const user = server.state.users.find(
          (u) => (u.username === id || u.email === id) && u.password === body.password,
        )
        return user ? signedIn(user, 200) : json({ error: 'invalid_credentials' }, 401)
      }),
    ),
    http.post(
      base + ep.register,
      route('register', async (request) => {
        const body = await readBody(request)
        if (
          typeof body.username !== 'string' ||
          typeof body.password !== 'string' ||
          body.password.length < 4
        )
          return json({ error: 'invalid_request' }, 400)
        if (server.state.users.some((u) => u.username === body.username))
          return json({ error: 'user_exists' }, 409)
        const user: MockUser = { ...body, username: body.username, password: body.password }
        server.state.users.push(user)
        return signedIn(user, 201)
      }),
    ),
    http.post(
      base + ep.refresh,
      route('refresh', async (request, cookies) => {
        const token = cookieMode ? cookies[REFRESH_COOKIE] : (await readBody(request)).refresh_token
        const t = server.rotate(typeof token === 'string' ? token : null)
        if (!t)
          return json(
            { error: 'invalid_grant' },
            401,
            cookieMode ? { 'Set-Cookie': clearCookie } : {},
          )
        return json(
          tokenBody(t),
          200,
          cookieMode ? { 'Set-Cookie': refreshCookie(t.refresh_token) } : {},
        )
      }),
    ),
    http.get(
      base + ep.verify,
      route('verify', (request, cookies) => {
        const check = server.check(bearer(request), 'access')
        if (check.ok) return json({ valid: true, user: publicUser(check.user) })
        // Cookie mode: a live refresh cookie is a session even before any access token exists.
        if (cookieMode && !bearer(request)) {
          const r = server.check(cookies[REFRESH_COOKIE], 'refresh')
          if (r.ok) return json({ valid: true, user: publicUser(r.user) })
        }
        return json({ valid: false, reason: check.why }, 401)
      }),
    ),
    http.get(
      base + ep.profile,
      route('profile', (request) => {
        const check = server.check(bearer(request), 'access')
        return check.ok ? json(publicUser(check.user)) : unauthorized(check.why)
      }),
    ),
    http.get(
      base + ep.health,
      route('health', (request) => json(server.health(bearer(request)))),
    ),
    http.post(
      base + ep.logout,
      route('logout', (request, cookies) => {
        server.endSession(bearer(request), 'access')
        if (cookieMode) server.endSession(cookies[REFRESH_COOKIE], 'refresh')
        return new HttpResponse(null, {
          status: 204,
          headers: {
            'Clear-Site-Data': '"cookies", "storage"',
            ...(cookieMode ? { 'Set-Cookie': clearCookie } : {}),
          },
        })
      }),
    ),
    http.get(
      base + (options.dataPath ?? '/api/data'),
      route('data', (request) => {
        const check = server.check(bearer(request), 'access')
        if (!check.ok) return unauthorized(check.why)
        const items = ['alpha', 'beta', 'gamma'].map((name, i) => ({ id: i + 1, name }))
        return json({ items, user: check.user.username, at: now() })
      }),
    ),
  ]

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
