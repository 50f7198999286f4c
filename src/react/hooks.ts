import { useMemo, useRef, useSyncExternalStore } from 'react'
import type { SessionSnapshot } from '../core/types.js'
import { useKeeper } from './context.js'

/** The whole snapshot of the nearest keeper. */
export function useSession<User = unknown>(): SessionSnapshot<User>
/**
 * Selects from the session snapshot; re-renders only when the selected value changes (by
 * `isEqual`, `Object.is` by default). Reads the keeper's store directly: no copy in React state.
 * Called without type arguments the result type is inferred from the selector; TypeScript infers
 * nothing once one type argument is given, so to type `User` once for the whole app use the
 * `useSession` of {@link createAuthHooks}.
 */
export function useSession<User = unknown, T = unknown>(
  selector: (snapshot: SessionSnapshot<User>) => T,
  isEqual?: (a: T, b: T) => boolean,
): T
export function useSession<T>(
  selector: (snapshot: SessionSnapshot) => T = (s) => s as T,
  isEqual: (a: T, b: T) => boolean = Object.is,
): T {
  const keeper = useKeeper()
  const cache = useRef<{ snapshot: SessionSnapshot; selector: unknown; value: T } | null>(null)
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
export interface AuthState<User, Credentials extends object = object> {
  status: SessionSnapshot<User>['status']
  user: User | null
  isAuthenticated: boolean
  isLoading: boolean
  /** Why the last session ended (`null` while signed in or if there never was one). */
  reason: Extract<SessionSnapshot<User>, { status: 'unauthenticated' }>['reason']
  /** `keeper.login`: typed by the keeper's `Credentials` (see {@link createAuthHooks}). */
  login: (credentials: Credentials) => Promise<User | null>
  register: (details: object) => Promise<User | null>
  logout: () => Promise<void>
}

/**
 * The session and the actions. Re-renders on session changes only, never on activity. To type
 * `User` and the credentials once, use the `useAuth` of {@link createAuthHooks}.
 */
export function useAuth<User = unknown, Credentials extends object = object>(): AuthState<
  User,
  Credentials
> {
  const keeper = useKeeper<User, Credentials>()
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
