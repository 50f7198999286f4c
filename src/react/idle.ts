import { useCallback } from 'react'
import { useKeeper } from './context.js'
import { useSession } from './hooks.js'

/** What {@link useIdleWarning} returns. */
export interface IdleWarningState {
  /** True while the idle warning is on. */
  warning: boolean
  /** When the idle logout happens (ms since epoch), while the warning is on. */
  logoutAt: number | null
  /**
   * Records activity: ends the warning and restarts the idle period in every tab. Wire it to the
   * dialog's "Stay signed in" button: with the keeper's `idleConfirm: true` it is the only thing
   * that ends the warning (pointer, key and scroll events no longer do).
   */
  stayActive: () => void
  /** The keeper's `idleConfirm`: while the warning is on, only `stayActive` ends it. */
  confirmRequired: boolean
}

/**
 * The idle warning, for a "you will be signed out" dialog. Re-renders when the warning starts or
 * ends, not on activity. By default any activity the tracker sees (pointer, key, wheel, touch,
 * scroll, focus, the tab becoming visible) ends the warning; create the keeper with
 * `idleConfirm: true` when the user must answer the dialog (banking-style), so that moving the
 * pointer to the button does not count as the answer. For a live countdown use {@link useDeadlines}.
 */
export function useIdleWarning(): IdleWarningState {
  const keeper = useKeeper()
  const warningAt = useSession((s) => (s.status === 'authenticated' ? s.idleWarningAt : null))
  const stayActive = useCallback(() => keeper.touch(), [keeper])
  return {
    warning: warningAt !== null,
    logoutAt: warningAt === null ? null : warningAt + keeper.timing.idleWarning,
    stayActive,
    confirmRequired: keeper.timing.idleConfirm,
  }
}
