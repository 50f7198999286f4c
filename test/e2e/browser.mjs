// Finds Debian's Chromium (installing it when we can), builds and serves the demo on localhost,
// opens fresh browser profiles, and runs scenarios in them. Under CI a missing Chromium is a
// failure, never a skip.
import { execFileSync, execSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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

/**
 * Runs browser scenarios one at a time, each in a fresh Chromium profile, and reports them: a line
 * per scenario (with what it measured, when it returns something), `.artifacts/<report>.json` with
 * the counts CI reads, and a non-zero exit on any failure (a setup that fails counts as one).
 * `setup()` starts what the scenarios share and returns `{ args(context), close() }`: `args` gives a
 * scenario its arguments and may return `release()` to stop what it started for that scenario.
 */
export async function runScenarios(report, scenarios, { only, setup }) {
  mkdirSync(resolve(root, '.artifacts'), { recursive: true })
  const results = []
  let shared
  try {
    const chromiumPath = findChromium()
    shared = await setup()
    for (const [name, run] of Object.entries(scenarios)) {
      if (only && !name.includes(only)) continue
      const browser = await openBrowser(chromiumPath)
      const { release, ...args } = shared.args(browser.context)
      const t0 = Date.now()
      try {
        const measured = await run(args)
        results.push({ name, status: 'passed', ms: Date.now() - t0, measured })
        console.log(
          `  ✓ ${name} (${Date.now() - t0} ms)${measured ? ' ' + JSON.stringify(measured) : ''}`,
        )
      } catch (error) {
        const text = String(error?.stack ?? error)
        results.push({ name, status: 'failed', ms: Date.now() - t0, error: text })
        console.log(`  ✗ ${name} (${Date.now() - t0} ms)\n${text.replace(/^/gm, '      ')}`)
      } finally {
        await browser.close()
        await release?.()
      }
    }
  } catch (error) {
    const text = String(error?.stack ?? error)
    results.push({ name: `${report} setup`, status: 'failed', error: text })
    console.log(`  ✗ ${report} setup\n${text}`)
  } finally {
    await shared?.close()
  }
  const passed = results.filter((r) => r.status === 'passed').length
  const failed = results.length - passed
  writeFileSync(
    resolve(root, `.artifacts/${report}.json`),
    JSON.stringify(
      { numPassedTests: passed, numFailedTests: failed, numPendingTests: 0, results },
      null,
      2,
    ),
  )
  console.log(`${report}: ${passed} passed, ${failed} failed`)
  process.exit(failed > 0 ? 1 : 0)
}
