// A tiny auth API on loopback for the benchmarks: login, a rotating (optionally slow) refresh and
// a protected resource that records which token each call carried. It listens only while a
// benchmark runs; every run closes it.
import { createServer } from 'node:http'

export async function startAuthServer({ refreshDelayMs = 0, ttlSeconds = 600 } = {}) {
  let seq = 0
  let current = { access: '', refresh: '' }
  let refused = false
  const replaced = new Set()
  const stats = { refresh: 0, data: 0, staleData: 0 }
  const issue = () => {
    seq += 1
    refused = false
    current = { access: `access-${seq}`, refresh: `refresh-${seq}` }
    return { access_token: current.access, refresh_token: current.refresh, expires_in: ttlSeconds }
  }
  const send = (res, status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(body))
  }
  const server = createServer((req, res) => {
    let raw = ''
    req.on('data', (c) => (raw += c))
    req.on('end', () => {
      const token = req.headers.authorization?.slice(7)
      if (req.url === '/api/auth/login')
        return send(res, 200, { ...issue(), user: { name: 'bench' } })
      if (req.url === '/api/auth/refresh') {
        stats.refresh += 1
        // From the moment a refresh starts, the old access token is stale: nobody should send it.
        replaced.add(current.access)
        const ok = JSON.parse(raw || '{}').refresh_token === current.refresh
        return setTimeout(() => (ok ? send(res, 200, issue()) : send(res, 401, {})), refreshDelayMs)
      }
      if (req.url === '/api/data') {
        stats.data += 1
        if (replaced.has(token)) stats.staleData += 1
        return token === current.access && !refused
          ? send(res, 200, { ok: true })
          : send(res, 401, {})
      }
      send(res, 404, {})
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stats,
    /** The current access token expires on the server too. */
    expire: () => void (refused = true),
    resetStats: () => Object.keys(stats).forEach((k) => (stats[k] = 0)),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(resolve)
      }),
  }
}
