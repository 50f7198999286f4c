// Builds the test page, serves it on its own origin, and gives the scenarios small helpers:
// the API's test-only state, page driver calls and bounded polls (never a fixed sleep).
import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { extname, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../../..')
const pageDir = resolve(root, '.artifacts/browser-real-page')

export function buildPage() {
  execFileSync(
    'npx',
    ['vite', 'build', '--config', 'test/integration/browser/vite.config.ts', '--logLevel', 'error'],
    { cwd: root, stdio: 'inherit' },
  )
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' }

/** Serves the built page on 127.0.0.1 (reached as http://localhost:PORT or http://127.0.0.1:PORT). */
export async function servePage() {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname
    const file = resolve(pageDir, '.' + (path === '/' ? '/index.html' : path))
    if (!file.startsWith(pageDir)) return res.writeHead(403).end()
    try {
      const data = await readFile(file)
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
      })
      res.end(data)
    } catch {
      res.writeHead(404).end()
    }
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address()
  return {
    port,
    origin: (host = 'localhost') => `http://${host}:${port}`,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}

/** Waits until `check()` returns something truthy, polling every 50 ms, at most `timeout` ms. */
export async function until(check, what, timeout = 5_000) {
  const end = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** The API's counts, statuses and refresh log, from its test-only endpoint. */
export const apiState = async (api) => (await fetch(api.url('127.0.0.1') + '/__test/state')).json()

/** Delays the API's next `times` answers of `endpoint` by `ms` (every answer when `times` is left out). */
export const setLatency = (api, endpoint, ms, times) =>
  fetch(api.url('127.0.0.1') + '/__test/latency', {
    method: 'POST',
    body: JSON.stringify({ endpoint, ms, times }),
  })

/** Opens the page in a new tab of `context` and waits for its driver. */
export async function openTab(context, url) {
  const page = await context.newPage()
  await page.goto(url)
  await page.waitForFunction(() => window.sk !== undefined)
  return page
}

/** The tab's snapshot status once it has left `loading`. */
export async function settledStatus(page, timeout = 5_000) {
  await page.waitForFunction(() => window.sk.snapshot().status !== 'loading', null, { timeout })
  return page.evaluate(() => window.sk.snapshot())
}
