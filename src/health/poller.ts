import type { Core } from '../core/context.js'
import { SessionError, callFailed, isSessionError } from '../core/errors.js'
import type { TokenHealth } from '../core/types.js'
import { authCall } from '../http/scope.js'

/** Picks only the contract's fields, so nothing else the server sent travels in events. */
const pick = (b: TokenHealth): TokenHealth => ({
  compatible: b.compatible,
  authenticated: b.authenticated,
  token_version: b.token_version ?? null,
  server_version: b.server_version ?? null,
})

/** The tab's token-health poller. See {@link createHealthPoller}. */
export type HealthPoller = ReturnType<typeof createHealthPoller>

/**
 * Polls token-health every `healthInterval` (with up to 10 % jitter) in visible tabs only; a check
 * by any tab counts for all. Health failures by network or 5xx never end a session.
 * `refreshOrRevoke` runs one refresh that ends the session `revoked` if the server refuses it.
 */
export function createHealthPoller<User>(
  { o, http, state, url, random }: Core<User>,
  isVisible: () => boolean,
  refreshOrRevoke: () => Promise<unknown>,
) {
  const interval = o.healthInterval
  let lastAt = 0
  let jitter = 0
  let running: Promise<TokenHealth> | null = null

  const record = (at: number) => {
    lastAt = at
    jitter = interval === false ? 0 : Math.round(random() * interval * 0.1)
  }

  const dueAt = (): number | null =>
    interval === false || !isVisible() || !state.session ? null : lastAt + interval + jitter

  /** GET token-health: through the request gate, or outside it with `token` (see keyChanged). */
  const get = async (token?: string | null): Promise<TokenHealth | null> =>
    (
      await http.get(
        url(o.endpoints.health),
        token === undefined ? { timeout: o.refreshTimeout } : authCall(o.refreshTimeout, token),
      )
    ).data

  async function run(): Promise<TokenHealth> {
    record(o.clock.now())
    let body: TokenHealth | null
    try {
      body = await get()
    } catch (error) {
      throw isSessionError(error) ? error : callFailed('unavailable', 'Token health check', error)
    }
    if (typeof body?.compatible !== 'boolean' || typeof body.authenticated !== 'boolean')
      throw new SessionError('unavailable', 'Token health answered with an unexpected body.')
    const health = pick(body)
    state.emitter.emit({ type: 'healthChecked', health })
    state.post({ kind: 'health', at: lastAt, health })
    // Judge `compatible` first: a token from an old secret can never become valid again.
    if (!health.compatible) state.end('incompatible')
    else if (!health.authenticated) await refreshOrRevoke().catch(() => {})
    return health
  }

  /** One token-health call now. Rejects with `unavailable` on network errors, timeouts and 5xx. */
  const check = (): Promise<TokenHealth> =>
    (running ??= run().finally(() => {
      running = null
    }))

  return {
    /** Starts the period afresh (at login or restore). */
    restart: () => record(o.clock.now()),
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
      state.emitter.emit({ type: 'healthChecked', health: pick(health) })
    },
    check,
    /**
     * After a refused refresh: did the server's signing key change under `token`? Asked outside the
     * request gate (which is waiting for that very refresh). With polling off (the server may have
     * no token-health endpoint), or on any failure, the answer is no.
     */
    async keyChanged(token: string | null): Promise<boolean> {
      if (interval === false) return false
      try {
        return (await get(token))?.compatible === false
      } catch {
        return false
      }
    },
  }
}
