// The backend contract's endpoints, as MSW handlers over the mock server: sign-in and register,
// refresh with rotation, verify, profile, token health, logout, and a protected sample resource.
import { HttpResponse, http, type HttpHandler } from 'msw'
import type { Endpoints } from '../core/options.js'
import { bearer, json, unauthorized, type Route } from './route.js'
import { publicUser, type MockUser } from './server.js'
import type { MockAuthServer } from './tokens.js'

const REFRESH_COOKIE = 'sk_refresh'

/** What the handlers answer under and how, resolved from createMockAuthApi's options. */
export interface ContractSetup {
  server: MockAuthServer
  route: Route
  /** Origin (+ prefix), without a trailing slash. */
  base: string
  endpoints: Endpoints
  dataPath: string
  /** The refresh token travels in an httpOnly cookie, never in a body. */
  cookieMode: boolean
  refreshTtlMs: number
  now: () => number
}

/** The MSW handlers of every endpoint of the contract, each wrapped by `route`. */
export function contractHandlers({
  server,
  route,
  base,
  endpoints: ep,
  dataPath,
  cookieMode,
  refreshTtlMs,
  now,
}: ContractSetup): HttpHandler[] {
  const refreshCookie = (token: string) =>
    `${REFRESH_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.round(refreshTtlMs / 1000)}`
  const clearCookie = `${REFRESH_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`

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

  return [
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
      base + dataPath,
      route('data', (request) => {
        const check = server.check(bearer(request), 'access')
        if (!check.ok) return unauthorized(check.why)
        const items = ['alpha', 'beta', 'gamma'].map((name, i) => ({ id: i + 1, name }))
        return json({ items, user: check.user.username, at: now() })
      }),
    ),
  ]
}
