import type { SessionBackend } from '../core/backend.js'
import type { Clock } from '../core/clock.js'
import { SessionError, callFailed, isSessionError } from '../core/errors.js'
import { sidOf } from '../core/tokens.js'
import type { TokenHealth } from '../core/types.js'
import type { AuthCalls } from './calls.js'
import type { Machine } from './machine.js'

/** Picks only the contract's fields, so nothing else the server sent travels in events. */
const pick = (b: TokenHealth): TokenHealth => ({
  compatible: b.compatible,
  authenticated: b.authenticated,
  token_version: b.token_version ?? null,
  server_version: b.server_version ?? null,
})

/** What the health poller uses. */
export interface HealthDeps<User> {
  clock: Clock
  random(): number
  /** The poll period, or `false` (no polling; also when the backend has no health call). */
  interval: number | false
  isVisible(): boolean
  machine: Pick<Machine<User>, 'session' | 'dispatch' | 'emitter' | 'post'>
  calls: AuthCalls
  backend: Pick<SessionBackend<User, never>, 'health'>
  /** One refresh that ends the session `revoked` if the server refuses it. */
  refreshOrRevoke(): Promise<unknown>
}

/** The tab's token-health poller. See {@link createHealthPoller}. */
export type HealthPoller = ReturnType<typeof createHealthPoller>

/**
 * Polls token-health every `interval` (with up to 10 % jitter) in visible tabs only; a check by
 * any tab counts for all. Health failures by network or 5xx never end a session.
 */
export function createHealthPoller<User>(d: HealthDeps<User>) {
  const { interval, machine: m } = d
  const build = d.backend.health
  let lastAt = 0
  let jitter = 0
  let running: Promise<TokenHealth> | null = null

  const record = (at: number) => {
    lastAt = at
    jitter = interval === false ? 0 : Math.round(d.random() * interval * 0.1)
  }

  const dueAt = (): number | null =>
    interval === false || !build || !d.isVisible() || !m.session ? null : lastAt + interval + jitter

  async function run(): Promise<TokenHealth> {
    record(d.clock.now())
    if (!build) throw new SessionError('config', 'This backend has no token-health call.')
    const asked = m.session
    let body: TokenHealth | null
    try {
      // Through the request gate: it waits for a refresh in flight, and a 401 is refreshed for.
      body = (await d.calls.send(build(m.session?.accessToken ?? null), true)) as TokenHealth
    } catch (error) {
      throw isSessionError(error) ? error : callFailed('unavailable', 'Token health check', error)
    }
    if (typeof body?.compatible !== 'boolean' || typeof body.authenticated !== 'boolean')
      throw new SessionError('unavailable', 'Token health answered with an unexpected body.')
    const health = pick(body)
    m.emitter.emit({ type: 'healthChecked', health })
    m.post({ kind: 'health', at: lastAt, health })
    // Judge `compatible` first: a token from an old secret can never become valid again. (Only
    // for the sign-in it was asked about: not one begun since, an account switch.)
    const s = m.session
    if (!s || !asked || sidOf(s) !== sidOf(asked)) return health
    if (!health.compatible) m.dispatch({ type: 'ended', reason: 'incompatible', by: 'here' })
    else if (!health.authenticated) await d.refreshOrRevoke().catch(() => {})
    return health
  }

  /** One token-health call now. Rejects with `unavailable` on network errors, timeouts and 5xx. */
  const check = (): Promise<TokenHealth> =>
    (running ??= run().finally(() => {
      running = null
    }))

  return {
    /** Starts the period afresh (at sign-in or restore). */
    restart: () => record(d.clock.now()),
    /** When the next poll is due, or `null` when none will run in this tab now. */
    dueAt,
    /** Runs the poll when it is due (overdue checks run at once, e.g. on becoming visible). */
    poll(now: number): void {
      const due = dueAt()
      if (due !== null && now >= due && !running) check().catch(() => {})
    },
    /** Another tab checked: count it as ours. */
    adopt(at: number, health: TokenHealth): void {
      if (at > lastAt) record(at)
      m.emitter.emit({ type: 'healthChecked', health: pick(health) })
    },
    check,
    /**
     * After a refused refresh: did the server's signing key change under `token`? Asked outside the
     * request gate (which is waiting for that very refresh). With polling off (the server may have
     * no token-health endpoint), or on any failure, the answer is no.
     */
    async keyChanged(token: string | null): Promise<boolean> {
      if (interval === false || !build) return false
      try {
        return ((await d.calls.send(build(token))) as TokenHealth | null)?.compatible === false
      } catch {
        return false
      }
    },
  }
}
