import { useEffect, useReducer } from 'react'
import type { SessionDeadlines } from '../core/instance.js'
import { useKeeper } from './context.js'
import { useSession } from './hooks.js'

/** Options of {@link useDeadlines}. */
export interface DeadlinesOptions {
  /** How often the component re-renders while signed in (ms). @default 1_000 */
  tickMs?: number
  /**
   * The clock the time left is counted on; give the keeper's own if you injected one.
   * @default Date.now
   */
  now?: () => number
}

/** What {@link useDeadlines} returns: the keeper's deadlines, and the time left until each. */
export interface Deadlines extends SessionDeadlines {
  /** The moment the values below were computed (read afresh at every render). */
  now: number
  /** Time left until the next automatic refresh (ms, never negative), or `null`. */
  refreshIn: number | null
  /** Time left until the idle warning starts (0 once it is on), or `null`. */
  idleWarningIn: number | null
  /** Time left until the idle logout, or `null` when `idleTimeout` is off or nobody is signed in. */
  idleLogoutIn: number | null
  /** Time left until `absoluteTimeout` ends the session, or `null`. */
  absoluteLogoutIn: number | null
}

/**
 * A live countdown of the session's deadlines (`keeper.getDeadlines()`, which is a read, not a
 * subscription). Re-renders the calling component every `tickMs` while signed in, and at each
 * session change; other components are not touched. The clock is read afresh at every render, so
 * the time left never counts from a stale moment. The timer stops on sign-out and on unmount.
 */
export function useDeadlines({ tickMs = 1_000, now }: DeadlinesOptions = {}): Deadlines {
  const keeper = useKeeper()
  const signedIn = useSession((s) => s.status === 'authenticated')
  useSession() // and re-render at every session change (a refresh moves `refreshAt`)
  const [, tick] = useReducer((n: number) => n + 1, 0)
  useEffect(() => {
    if (!signedIn) return
    const id = setInterval(tick, tickMs)
    return () => clearInterval(id)
  }, [signedIn, tickMs])
  const at = now ? now() : Date.now()
  const d = keeper.getDeadlines()
  const left = (deadline: number | null) => (deadline === null ? null : Math.max(0, deadline - at))
  return {
    ...d,
    now: at,
    refreshIn: left(d.refreshAt),
    idleWarningIn: left(d.idleWarningAt),
    idleLogoutIn: left(d.idleLogoutAt),
    absoluteLogoutIn: left(d.absoluteLogoutAt),
  }
}
