// A real HTTP server speaking session-keeper's backend contract (README "The backend contract"),
// for the real-browser tests: HS256 JWTs (node:crypto) of a few seconds, refresh-token rotation
// with reuse detection and an optional grace window, token mode (JSON bodies) or cookie mode (the
// refresh token only ever in an httpOnly cookie), and CORS with credentials for one page origin.
// Binds 127.0.0.1 only. Test-only endpoints under /__test/ (no CORS: the Node runner calls them):
//   GET  /__test/state    counts per endpoint, refresh log, statuses answered
//   POST /__test/latency  { endpoint, ms, times? }: delays that endpoint's next `times` answers (all
//                         by default). Refresh is delayed after rotating, so a client that dies or
//                         gives up meanwhile has lost the new token, as on a real server.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createServer } from 'node:http'

const ENDPOINTS = ['login', 'register', 'refresh', 'verify', 'profile', 'health', 'logout', 'data']
const USERS = [
  { username: 'ada', password: 'lovelace', email: 'ada@example.com', name: 'Ada Lovelace' },
]
const COOKIE = 'sk_refresh'

const b64url = (v) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url')

/**
 * Starts the API.
 * @param {object} o
 * @param {'token'|'cookie'} [o.credentials] where the refresh token travels (default 'token')
 * @param {number} [o.accessTtlMs] access-token lifetime (default 3000)
 * @param {number} [o.reuseGraceMs] how long a replaced refresh token is still accepted; 0 = none,
 *   like SimpleJWT's blacklist: reuse outside it revokes the whole session (default 2000)
 * @param {string} o.pageOrigin the one origin CORS allows, with credentials
 * @param {'exact'|'wildcard'} [o.cors] 'wildcard' answers `Access-Control-Allow-Origin: *` (to show
 *   that browsers refuse it with credentials) (default 'exact')
 * @param {string} [o.cookieAttributes] attributes of the refresh cookie
 *   (default 'Path=/api/auth; HttpOnly; SameSite=Lax')
 */
export async function startApiServer(o) {
  const ttl = o.accessTtlMs ?? 3_000
  const grace = o.reuseGraceMs ?? 2_000
  const cookieMode = o.credentials === 'cookie'
  const attributes = o.cookieAttributes ?? 'Path=/api/auth; HttpOnly; SameSite=Lax'
  const secret = randomBytes(32)
  const sessions = new Map() // sid -> { username, jti, replaced: Map<jti, at>, revoked }
  const counts = Object.fromEntries(ENDPOINTS.map((e) => [e, 0]))
  const statuses = {} // 'endpoint status' -> n
  const refreshLog = [] // { at, outcome: 'rotated'|'grace'|'reuse-revoked'|'refused', sid }
  const logins = [] // when each sign-in was answered
  const latency = {} // endpoint -> { ms, times }
  let preflights = 0
  let seq = 0

  const sign = (claims) => {
    const head = b64url({ alg: 'HS256', typ: 'JWT' }) + '.' + b64url(claims)
    return head + '.' + createHmac('sha256', secret).update(head).digest('base64url')
  }
  const read = (token, typ) => {
    const [h, p, s] = typeof token === 'string' ? token.split('.') : []
    if (!h || !p || !s) return null
    const want = createHmac('sha256', secret).update(`${h}.${p}`).digest()
    const got = Buffer.from(s, 'base64url')
    if (got.length !== want.length || !timingSafeEqual(got, want)) return null
    let claims
    try {
      claims = JSON.parse(Buffer.from(p, 'base64url').toString())
    } catch {
      return null
    }
    if (claims.typ !== typ || claims.exp * 1000 <= Date.now()) return null
    const session = sessions.get(claims.sid)
    return session && !session.revoked ? { claims, session } : null
  }
  const issue = (sid, session) => {
    const now = Date.now()
    const user = USERS.find((u) => u.username === session.username)
    const base = { sub: user.username, sid, iat: now / 1000 }
    session.jti = `r${++seq}`
    return {
      access_token: sign({ ...base, typ: 'access', jti: `a${++seq}`, exp: (now + ttl) / 1000 }),
      refresh_token: sign({ ...base, typ: 'refresh', jti: session.jti, exp: now / 1000 + 3600 }),
      token_type: 'Bearer',
      expires_in: ttl / 1000,
    }
  }
  /** Rotation with reuse detection: a replaced token outside the grace window revokes the session. */
  const rotate = (token) => {
    const found = read(token, 'refresh')
    if (!found) return { outcome: 'refused' }
    const { claims, session } = found
    let outcome = 'rotated'
    if (claims.jti !== session.jti) {
      const at = session.replaced.get(claims.jti)
      if (grace <= 0 || at === undefined || Date.now() - at > grace) {
        session.revoked = true
        return { outcome: 'reuse-revoked', sid: claims.sid }
      }
      outcome = 'grace'
    }
    session.replaced.set(session.jti, Date.now())
    return { outcome, sid: claims.sid, tokens: issue(claims.sid, session) }
  }
  const publicUser = ({ password: _p, ...user }) => user
  const userOf = (found) => publicUser(USERS.find((u) => u.username === found.session.username))

  const cookieHeader = (token) =>
    token
      ? `${COOKIE}=${token}; ${attributes}; Max-Age=3600`
      : `${COOKIE}=; ${attributes}; Max-Age=0`
  const cookies = (req) =>
    Object.fromEntries(
      (req.headers.cookie ?? '')
        .split(';')
        .map((c) => c.trim().split('='))
        .filter(([k]) => k),
    )
  const bearer = (req) => {
    const h = req.headers.authorization ?? ''
    return h.startsWith('Bearer ') ? h.slice(7) : null
  }
  const body = (req) =>
    new Promise((resolve) => {
      let raw = ''
      req.on('data', (c) => (raw += c.length + raw.length < 65_536 ? c : ''))
      req.on('end', () => {
        try {
          resolve(JSON.parse(raw || '{}') ?? {})
        } catch {
          resolve({})
        }
      })
    })

  const cors = (req, res) => {
    const origin = req.headers.origin
    if (!origin) return
    if (o.cors === 'wildcard') res.setHeader('Access-Control-Allow-Origin', '*')
    else if (origin === o.pageOrigin) res.setHeader('Access-Control-Allow-Origin', origin)
    else return
    res.setHeader('Access-Control-Allow-Credentials', 'true')
    res.setHeader('Vary', 'Origin')
  }

  async function handle(req, res, name) {
    const send = (status, payload, headers = {}) => {
      statuses[`${name} ${status}`] = (statuses[`${name} ${status}`] ?? 0) + 1
      res.writeHead(status, {
        'Cache-Control': 'no-store',
        ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      })
      res.end(payload === undefined ? undefined : JSON.stringify(payload))
    }
    const wait = () => {
      const slow = latency[name]
      if (!slow || slow.times <= 0) return Promise.resolve()
      slow.times--
      return new Promise((r) => setTimeout(r, slow.ms))
    }
    const access = read(bearer(req), 'access')
    switch (name) {
      case 'login': {
        const { username, email, password } = await body(req)
        const user = USERS.find(
          (u) => (u.username === username || u.email === email) && u.password === password,
        )
        if (!user) return send(401, { error: 'invalid_credentials' })
        const sid = `s${++seq}`
        const session = { username: user.username, jti: '', replaced: new Map(), revoked: false }
        sessions.set(sid, session)
        const { refresh_token, ...rest } = issue(sid, session)
        await wait()
        logins.push(Date.now())
        return cookieMode
          ? send(
              200,
              { ...rest, user: publicUser(user) },
              { 'Set-Cookie': cookieHeader(refresh_token) },
            )
          : send(200, { ...rest, refresh_token, user: publicUser(user) })
      }
      case 'refresh': {
        const presented = cookieMode ? cookies(req)[COOKIE] : (await body(req)).refresh_token
        const r = rotate(presented)
        refreshLog.push({ at: Date.now(), outcome: r.outcome, sid: r.sid, cookie: !!presented })
        await wait() // rotated already: the answer may never reach a client that dies meanwhile
        if (!r.tokens)
          return send(
            401,
            { error: 'invalid_grant' },
            cookieMode ? { 'Set-Cookie': cookieHeader('') } : {},
          )
        if (!cookieMode) return send(200, r.tokens)
        const { refresh_token, ...rest } = r.tokens
        return send(200, rest, { 'Set-Cookie': cookieHeader(refresh_token) })
      }
      case 'verify': {
        if (access) return send(200, { valid: true, user: userOf(access) })
        // Cookie mode: a live refresh cookie is a session before any access token exists.
        const viaCookie = cookieMode && !bearer(req) ? read(cookies(req)[COOKIE], 'refresh') : null
        if (viaCookie) return send(200, { valid: true, user: userOf(viaCookie) })
        return send(401, { valid: false })
      }
      case 'profile':
        return access ? send(200, userOf(access)) : send(401, { error: 'unauthorized' })
      case 'health':
        return send(200, {
          compatible: true,
          authenticated: !!access,
          token_version: 1,
          server_version: 1,
        })
      case 'logout': {
        const viaCookie = cookieMode ? read(cookies(req)[COOKIE], 'refresh') : null
        for (const found of [access, viaCookie]) if (found) sessions.delete(found.claims.sid)
        return send(204, undefined, cookieMode ? { 'Set-Cookie': cookieHeader('') } : {})
      }
      case 'data':
        if (!access) return send(401, { error: 'unauthorized' })
        return send(200, {
          items: ['alpha', 'beta', 'gamma'],
          user: access.claims.sub,
          at: Date.now(),
        })
      default:
        return send(404, { error: 'not_found' })
    }
  }

  const routes = {
    'POST /api/auth/login': 'login',
    'POST /api/auth/register': 'register',
    'POST /api/auth/refresh': 'refresh',
    'GET /api/auth/verify': 'verify',
    'GET /api/auth/profile': 'profile',
    'GET /api/auth/token-health': 'health',
    'POST /api/auth/logout': 'logout',
    'GET /api/data': 'data',
  }

  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    if (path.startsWith('/__test/')) return control(req, res, path)
    cors(req, res)
    if (req.method === 'OPTIONS') {
      preflights++
      if (res.hasHeader('Access-Control-Allow-Origin')) {
        res.setHeader('Access-Control-Allow-Methods', 'GET, POST, OPTIONS')
        res.setHeader('Access-Control-Allow-Headers', 'authorization, content-type')
        res.setHeader('Access-Control-Max-Age', '600')
      }
      res.writeHead(204).end()
      return
    }
    const name = routes[`${req.method} ${path}`]
    if (name) counts[name]++
    try {
      await handle(req, res, name)
    } catch (error) {
      if (!res.headersSent) res.writeHead(500).end(String(error))
    }
  })

  async function control(req, res, path) {
    const reply = (v) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end(JSON.stringify(v))
    }
    if (path === '/__test/state')
      return reply({ counts, statuses, logins, refreshLog, preflights, sessions: sessions.size })
    if (path === '/__test/latency' && req.method === 'POST') {
      const { endpoint, ms, times = Infinity } = await body(req)
      latency[endpoint] = { ms, times: times ?? Infinity }
      return reply({ ok: true })
    }
    res.writeHead(404).end()
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address()
  return {
    port,
    /** The API as the page reaches it (`host` decides what the browser thinks of its site). */
    url: (host = 'localhost') => `http://${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
