// Starts the real auth servers of the integration tests on 127.0.0.1, on a free port, waits
// (bounded) until they answer, and stops them. Each server counts the requests it receives
// (GET /test/stats), so the tests read calls from the server, not from the client.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const here = import.meta.dirname

/** A server's own counts of what it received and answered. */
export interface Stats {
  calls: Record<string, number>
  statuses: Record<string, number>
}

/** A running server: its origin, its own request counts, and how to stop it. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  origin: string
  /**
   * The requests each path (and, for OAuth, each grant) received, and the answers by
   * `"<path> <status>"`; `reset` zeroes them after reading.
   */
  stats(reset?: boolean): Promise<Stats>
  /** Everything the server printed (for a failing test's message). */
  output(): string
  stop(): Promise<void>
}

/** Debian's Python: the one `apt-get install python3-djangorestframework-simplejwt` serves. */
export function debianPython(): string {
  return process.env.SK_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/** Polls `check` every 100 ms until it returns true; throws after `ms`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  ms = 15_000,
): Promise<void> {
  const until = Date.now() + ms
  for (;;) {
    if (await Promise.resolve(check()).catch(() => false)) return
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

function run(cmd: string, args: string[], env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: 'pipe' })
    let out = ''
    child.stdout.on('data', (d) => (out += d))
    child.stderr.on('data', (d) => (out += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
    child.on('error', reject)
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve()
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`))
    })
  })
}

async function serve(
  name: string,
  cmd: string,
  args: (port: number) => string[],
  env: Record<string, string>,
  statsPath: string,
  cleanup: () => void = () => {},
): Promise<RunningServer> {
  const port = await freePort()
  const origin = `http://127.0.0.1:${port}`
  const child: ChildProcess = spawn(cmd, args(port), {
    env: { ...process.env, ...env, SK_PORT: String(port) },
    stdio: 'pipe',
  })
  let out = ''
  let exited = false
  child.stdout!.on('data', (d) => (out += d))
  child.stderr!.on('data', (d) => (out += d))
  const gone = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())))
  const stats = async (reset = false) => {
    const res = await fetch(`${origin}${statsPath}`, { method: reset ? 'POST' : 'GET' })
    return (await res.json()) as Stats
  }
  const stop = async () => {
    if (!exited) {
      child.kill('SIGTERM')
      const killer = setTimeout(() => child.kill('SIGKILL'), 5_000)
      await gone
      clearTimeout(killer)
    }
    cleanup()
  }
  try {
    await waitFor(`${name} on ${origin}`, async () => {
      if (exited) throw new Error(`${name} exited:\n${out}`)
      return (await fetch(`${origin}${statsPath}`)).ok
    })
  } catch (error) {
    await stop()
    throw new Error(`${name} did not start: ${(error as Error).message}\n${out}`)
  }
  return { origin, stats, output: () => out, stop }
}

/**
 * Django REST framework + SimpleJWT (Debian's packages), rotation and blacklist on, SQLite in a
 * fresh temp dir, migrated at start, with the user `ann` / `ann-password`.
 */
export async function startDjango(accessSeconds = 3): Promise<RunningServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sk-django-'))
  const app = join(here, 'django', 'app.py')
  const env = { SK_DB: join(dir, 'db.sqlite3'), SK_ACCESS_SECONDS: String(accessSeconds) }
  const cleanup = () => rmSync(dir, { recursive: true, force: true })
  try {
    await run(debianPython(), [app, 'setup'], env)
  } catch (error) {
    cleanup()
    throw error
  }
  return serve(
    'Django',
    debianPython(),
    (port) => [app, 'runserver', `127.0.0.1:${port}`, '--noreload'],
    env,
    '/test/stats/',
    cleanup,
  )
}

/**
 * @node-oauth/oauth2-server (password + refresh_token grants, rotation), with RFC 7009 revocation
 * at /oauth/revoke, userinfo at /oauth/userinfo; public client `spa`, user `ann` / `ann-password`.
 */
export function startOAuth2(accessSeconds = 3): Promise<RunningServer> {
  return serve(
    'OAuth 2.0 server',
    process.execPath,
    () => [join(here, 'oauth2', 'server.mjs')],
    { SK_ACCESS_SECONDS: String(accessSeconds) },
    '/test/stats',
  )
}
