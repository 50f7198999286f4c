// Finds Debian's Chromium (installing it when we can), builds and serves the demo on localhost,
// and opens fresh browser profiles. Under CI a missing Chromium is a failure, never a skip.
import { execFileSync, execSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { createServer, preview } from 'vite'

const root = resolve(import.meta.dirname, '../..')

function which(name) {
  try {
    return execSync(`command -v ${name}`, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim()
  } catch {
    return ''
  }
}

export function findChromium() {
  let path = which('chromium') || which('chromium-browser')
  if (!path && process.getuid?.() === 0 && which('apt-get')) {
    console.log("e2e: chromium is missing; installing Debian's package")
    execSync(
      'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium',
      { stdio: 'inherit' },
    )
    path = which('chromium')
  }
  if (!path) throw new Error('e2e: Chromium not found. Install it: apt-get install -y chromium')
  return path
}

export function buildDemo() {
  execFileSync(
    'npx',
    ['vite', 'build', '--config', 'demo/vite.config.ts', '--mode', 'demo', '--logLevel', 'error'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  )
}

export async function serveDemo() {
  const server = await preview({
    configFile: resolve(root, 'demo/vite.config.ts'),
    logLevel: 'error',
    preview: { port: 4317, strictPort: false, host: 'localhost' },
  })
  const url = server.resolvedUrls.local[0].replace(/\/$/, '')
  return { url, close: () => server.close() }
}

/**
 * The demo as `npm run demo` serves it: Vite's dev server, React's development build, StrictMode's
 * double effects and React's warnings on. Bound to localhost; `close()` stops it.
 */
export async function serveDemoDev() {
  const server = await createServer({
    configFile: resolve(root, 'demo/vite.config.ts'),
    logLevel: 'error',
    server: { port: 4318, strictPort: false, host: 'localhost', hmr: false, watch: null },
  })
  await server.listen()
  const url = server.resolvedUrls.local[0].replace(/\/$/, '')
  return { url, close: () => server.close() }
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** A fresh profile: its own storage, service workers and cookies. */
export async function openBrowser(executablePath) {
  const dir = mkdtempSync(join(tmpdir(), 'sk-e2e-'))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
