import { useCallback, useMemo, useRef, useSyncExternalStore } from 'react'
import type { SessionSnapshot } from '../core/types.js'
import { useKeeper } from './context.js'

/**
 * Selects from the session snapshot; re-renders only when the selected value changes (by
 * `isEqual`, `Object.is` by default). Reads the keeper's store directly: no copy in React state.
 */
export function useSession<User = unknown, T = SessionSnapshot<User>>(
  selector: (snapshot: SessionSnapshot<User>) => T = (s) => s as T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const keeper = useKeeper<User>()
  const cache = useRef<{ snapshot: SessionSnapshot<User>; selector: unknown; value: T } | null>(
    null,
  )
  const select = () => {
    const snapshot = keeper.getSnapshot()
    const c = cache.current
    // A new selector (it may read props) is asked again; an equal answer keeps its identity.
    if (c && c.snapshot === snapshot && c.selector === selector) return c.value
    const value = selector(snapshot)
    cache.current = { snapshot, selector, value: c && isEqual(c.value, value) ? c.value : value }
    return cache.current.value
  }
  return useSyncExternalStore(keeper.subscribe, select, select)
}

/** What {@link useAuth} returns. */
export interface AuthState<User> {
  status: SessionSnapshot<User>['status']
  user: User | null
  isAuthenticated: boolean
  isLoading: boolean
  /** Why the last session ended (`null` while signed in or if there never was one). */
  reason: Extract<SessionSnapshot<User>, { status: 'unauthenticated' }>['reason']
  login: (credentials: object) => Promise<User | null>
  register: (details: object) => Promise<User | null>
  logout: () => Promise<void>
}

/** The session and the actions. Re-renders on session changes only, never on activity. */
export function useAuth<User = unknown>(): AuthState<User> {
  const keeper = useKeeper<User>()
  const snapshot = useSession<User>()
  const actions = useMemo(
    () => ({ login: keeper.login, register: keeper.register, logout: keeper.logout }),
    [keeper],
  )
  return {
    status: snapshot.status,
    user: snapshot.status === 'authenticated' ? snapshot.user : null,
    isAuthenticated: snapshot.status === 'authenticated',
    isLoading: snapshot.status === 'loading',
    reason: snapshot.status === 'unauthenticated' ? snapshot.reason : null,
    ...actions,
  }
}

/** What {@link useIdleWarning} returns. */
export interface IdleWarningState {
  /** True while the idle warning is on. */
  warning: boolean
  /** When the idle logout happens (ms since epoch), while the warning is on. */
  logoutAt: number | null
  /** Records activity: ends the warning and restarts the idle period in every tab. */
  stayActive: () => void
}

/** The idle warning, for a "you will be signed out" dialog. */
export function useIdleWarning(): IdleWarningState {
  const keeper = useKeeper()
  const warningAt = useSession((s) => (s.status === 'authenticated' ? s.idleWarningAt : null))
  const stayActive = useCallback(() => keeper.touch(), [keeper])
  return {
    warning: warningAt !== null,
    logoutAt: warningAt === null ? null : warningAt + keeper.timing.idleWarning,
    stayActive,
  }
}
