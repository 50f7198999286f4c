import type { Clock } from '../core/clock.js'
import type { Gate } from './gate.js'
import type { HealthPoller } from './health.js'
import type { Machine } from './machine.js'
import type { Refresher } from './refresher.js'

/** Longest the keeper sleeps between looks at its deadlines: timers drift, devices sleep. */
const MAX_STEP_MS = 60_000

/** What the deadline loop uses. */
export interface LoopDeps<User> {
  clock: Clock
  machine: Pick<Machine<User>, 'dispatch'>
  gate: Pick<Gate<User>, 'deadlines' | 'enforceDeadlines'>
  refresher: Pick<Refresher<User>, 'inFlight' | 'refresh'>
  health: Pick<HealthPoller, 'poll' | 'dueAt'>
}

/**
 * One timer for every deadline of the session: the idle warning, the hard deadlines, the
 * proactive refresh and the health poll. `evaluate` looks at the wall clock, acts on what is due,
 * and sleeps until the next deadline (at most a minute). It is called after every change of the
 * session, on every wake-up, and by its own timer.
 */
export function createLoop<User>(d: LoopDeps<User>) {
  const { clock } = d
  let cancelTimer: (() => void) | null = null
  let running = false

  function evaluate(): void {
    cancelTimer?.()
    cancelTimer = null
    const now = clock.now()
    if (!d.gate.enforceDeadlines(now)) return
    const t = d.gate.deadlines()
    if (t.idleWarningAt !== null && now >= t.idleWarningAt)
      d.machine.dispatch({ type: 'warned', at: t.idleWarningAt, logoutAt: t.idleLogoutAt! })
    if (!running) return
    if (t.refreshAt !== null && now >= t.refreshAt && !d.refresher.inFlight)
      d.refresher.refresh().catch(() => {})
    d.health.poll(now)
    const next = [now + MAX_STEP_MS, d.health.dueAt(), ...Object.values(t)].filter(
      (at): at is number => at !== null && at > now,
    )
    cancelTimer = clock.schedule(evaluate, Math.min(...next) - now)
  }

  return {
    evaluate,
    /** Runs the timer (while mounted); without it, `evaluate` still enforces and warns. */
    start(): void {
      running = true
      evaluate()
    },
    stop(): void {
      running = false
      cancelTimer?.()
      cancelTimer = null
    },
  }
}
