// A real OAuth 2.0 server for the integration tests: @node-oauth/oauth2-server (RFC 6749 password
// and refresh_token grants, refresh-token rotation) with an in-memory model, behind a plain
// node:http server that adds RFC 7009 revocation, a userinfo endpoint and a protected API.
// Test-only: /test/stats counts the requests each path (and each grant) received.
//
//   SK_PORT=8080 SK_ACCESS_SECONDS=3 node server.mjs     (prints "listening <port>" when ready)
import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import OAuth2Server from '@node-oauth/oauth2-server'

const { Request, Response, OAuthError } = OAuth2Server
const accessSeconds = Number(process.env.SK_ACCESS_SECONDS ?? 3)
const clients = new Map([
  ['spa', { id: 'spa', grants: ['password', 'refresh_token'], redirectUris: [] }],
])
const users = new Map([
  ['ann', { id: '1', username: 'ann', password: 'ann-password', name: 'Ann' }],
])
/** Live tokens by value: access and refresh tokens share the model's token record. */
const accessTokens = new Map()
const refreshTokens = new Map()

const model = {
  async getClient(clientId) {
    return clients.get(clientId) ?? null
  },
  async getUser(username, password) {
    const user = users.get(username)
    return user && user.password === password ? user : false
  },
  async saveToken(token, client, user) {
    const saved = { ...token, client, user }
    accessTokens.set(token.accessToken, saved)
    if (token.refreshToken) refreshTokens.set(token.refreshToken, saved)
    return saved
  },
  async getAccessToken(accessToken) {
    return accessTokens.get(accessToken) ?? null
  },
  async getRefreshToken(refreshToken) {
    return refreshTokens.get(refreshToken) ?? null
  },
  async revokeToken(token) {
    return refreshTokens.delete(token.refreshToken)
  },
  async generateAccessToken() {
    return randomBytes(24).toString('base64url')
  },
  async generateRefreshToken() {
    return randomBytes(24).toString('base64url')
  },
}

const oauth = new OAuth2Server({
  model,
  accessTokenLifetime: accessSeconds,
  refreshTokenLifetime: 24 * 3600,
  requireClientAuthentication: { password: false, refresh_token: false }, // a public SPA client
  alwaysIssueNewRefreshToken: true, // rotation
})

const calls = {}
const statuses = {}
const count = (key, into = calls) => (into[key] = (into[key] ?? 0) + 1)

function send(res, status, body, headers = {}) {
  count(`${new URL(res.req.url ?? '/', 'http://localhost').pathname} ${status}`, statuses)
  res.writeHead(status, {
    'content-type': 'application/json',
    'cache-control': 'no-store',
    ...headers,
  })
  res.end(body === undefined ? '' : JSON.stringify(body))
}

function sendError(res, error) {
  if (error instanceof OAuthError) {
    const headers = error.code === 401 ? { 'www-authenticate': 'Bearer realm="sk"' } : {}
    return send(res, error.code, { error: error.name, error_description: error.message }, headers)
  }
  console.error(error)
  send(res, 500, { error: 'server_error' })
}

async function readBody(req) {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const text = Buffer.concat(chunks).toString('utf8')
  const type = req.headers['content-type'] ?? ''
  if (type.startsWith('application/x-www-form-urlencoded'))
    return Object.fromEntries(new URLSearchParams(text))
  if (type.startsWith('application/json') && text) return JSON.parse(text)
  return {}
}

const oauthRequest = (req, url, body) =>
  new Request({
    method: req.method,
    headers: req.headers,
    query: Object.fromEntries(url.searchParams),
    body,
  })

/** RFC 7009: revoke a refresh (or access) token of this client; 200 whether or not it was live. */
function revoke(body) {
  if (!clients.has(body.client_id)) throw new OAuth2Server.InvalidClientError('Invalid client')
  if (!body.token) throw new OAuth2Server.InvalidRequestError('Missing parameter: `token`')
  for (const map of [refreshTokens, accessTokens]) {
    const record = map.get(body.token)
    if (record && record.client.id === body.client_id) {
      refreshTokens.delete(record.refreshToken)
      accessTokens.delete(record.accessToken)
    }
  }
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  try {
    const body = await readBody(req)
    count(url.pathname)
    if (url.pathname === '/oauth/token' && req.method === 'POST') {
      count(`${url.pathname} ${body.grant_type}`)
      const token = await oauth.token(oauthRequest(req, url, body), new Response(res))
      return send(res, 200, {
        access_token: token.accessToken,
        token_type: 'Bearer',
        expires_in: Math.round((token.accessTokenExpiresAt - Date.now()) / 1000),
        refresh_token: token.refreshToken,
        ...(token.scope ? { scope: [].concat(token.scope).join(' ') } : {}),
      })
    }
    if (url.pathname === '/oauth/revoke' && req.method === 'POST') {
      revoke(body)
      return send(res, 200)
    }
    if (url.pathname === '/oauth/userinfo' || url.pathname === '/api/protected') {
      const token = await oauth.authenticate(oauthRequest(req, url, body), new Response(res))
      const { id, username, name } = token.user
      return url.pathname === '/api/protected'
        ? send(res, 200, { ok: true, user: username })
        : send(res, 200, { sub: id, preferred_username: username, name })
    }
    if (url.pathname === '/test/stats') {
      const snapshot = { calls: { ...calls }, statuses: { ...statuses } }
      if (req.method === 'POST')
        for (const o of [calls, statuses]) for (const k of Object.keys(o)) delete o[k]
      return send(res, 200, snapshot)
    }
    send(res, 404, { error: 'not_found' })
  } catch (error) {
    sendError(res, error)
  }
})

server.listen(Number(process.env.SK_PORT ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port}`)
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
