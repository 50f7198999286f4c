import type { AxiosInstance } from 'axios'
import type { Clock } from '../core/clock.js'
import { SessionError, isSessionError } from '../core/errors.js'
import type { SessionEvent, TokenHealth } from '../core/types.js'

/** What the poller needs from the keeper. */
export interface HealthHost<User> {
  http: AxiosInstance
  clock: Clock
  random: () => number
  url: string
  timeoutMs: number
  /** Poll period, or `false`. */
  interval: number | false
  isVisible(): boolean
  isAuthenticated(): boolean
  emit(event: SessionEvent<User>): void
  /** Tell the other tabs a check was made, so they skip theirs. */
  share(at: number, health: TokenHealth): void
  incompatible(): void
  /** One refresh; the session ends `revoked` if the server refuses it. */
  refreshOrRevoke(): Promise<unknown>
}

function isHealth(body: unknown): body is TokenHealth {
  const b = body as Record<string, unknown> | null
  return !!b && typeof b.compatible === 'boolean' && typeof b.authenticated === 'boolean'
}

/** Picks only the contract's fields, so nothing else the server sent travels in events. */
function pick(b: TokenHealth): TokenHealth {
  return {
    compatible: b.compatible,
    authenticated: b.authenticated,
    token_version: b.token_version ?? null,
    server_version: b.server_version ?? null,
  }
}

/**
 * Polls token-health every `interval` (with up to 10 % jitter) in visible tabs only; a check by any
 * tab counts for all. Health failures by network or 5xx never end a session.
 */
export class HealthPoller<User> {
  private lastAt = 0
  private jitter = 0
  private running: Promise<TokenHealth> | null = null

  constructor(private readonly host: HealthHost<User>) {}

  /** Starts the period afresh (at login or restore). */
  restart(): void {
    this.record(this.host.clock.now())
  }

  /** When the next poll is due, or `null` when none will run in this tab now. */
  dueAt(): number | null {
    const { interval } = this.host
    if (interval === false || !this.host.isVisible() || !this.host.isAuthenticated()) return null
    return this.lastAt + interval + this.jitter
  }

  /** Runs the poll when it is due (overdue checks run at once, e.g. on becoming visible). */
  poll(now: number): void {
    const due = this.dueAt()
    if (due !== null && now >= due && !this.running) this.check().catch(() => {})
  }

  /** Another tab checked: count it as ours. */
  adopt(at: number, health: TokenHealth): void {
    if (at > this.lastAt) this.record(at)
    this.host.emit({ type: 'healthChecked', health: pick(health) })
  }

  /** One token-health call now. Rejects with `unavailable` on network errors, timeouts and 5xx. */
  check(): Promise<TokenHealth> {
    this.running ??= this.run().finally(() => {
      this.running = null
    })
    return this.running
  }

  private async run(): Promise<TokenHealth> {
    const { host } = this
    this.record(host.clock.now())
    let body: unknown
    try {
      body = (await host.http.get(host.url, { timeout: host.timeoutMs })).data
    } catch (error) {
      if (isSessionError(error)) throw error
      const status = (error as { response?: { status?: number } }).response?.status
      throw new SessionError(
        'unavailable',
        `Token health check failed (${status ? `HTTP ${status}` : 'network error or timeout'}).`,
        status ? { status } : {},
      )
    }
    if (!isHealth(body))
      throw new SessionError('unavailable', 'Token health answered with an unexpected body.')
    const health = pick(body)
    host.emit({ type: 'healthChecked', health })
    host.share(this.lastAt, health)
    // Judge `compatible` first: a token from an old secret can never become valid again.
    if (!health.compatible) host.incompatible()
    else if (!health.authenticated) await host.refreshOrRevoke().catch(() => {})
    return health
  }

  private record(at: number): void {
    this.lastAt = at
    const { interval } = this.host
    this.jitter = interval === false ? 0 : Math.round(this.host.random() * interval * 0.1)
  }
}
