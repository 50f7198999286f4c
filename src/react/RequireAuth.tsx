import { useMemo, type ReactNode } from 'react'
import { useMountEffect } from './context.js'
import { useSession } from './hooks.js'
import { rememberReturnTo } from './returnTo.js'

/** A router's location: `useLocation()` of react-router fits, and so does a path string. */
export type RouterLocation = string | { pathname: string; search?: string; hash?: string }

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  /** Shown when signed in. */
  children?: ReactNode
  /** Shown when signed out: a sign-in form, or a redirect element such as `<Navigate to="/login" />`. */
  fallback: ReactNode
  /** Shown while the session is being restored (cookie mode only waits here). @default null */
  loading?: ReactNode
  /**
   * Where the user is, as the app's router sees it (pass react-router's `useLocation()`). Needed
   * with a memory router, which `window.location` does not follow.
   * @default window.location (path, query and hash)
   */
  location?: RouterLocation
}

const pathOf = (l: RouterLocation) =>
  typeof l === 'string' ? l : l.pathname + (l.search ?? '') + (l.hash ?? '')

/**
 * Shows `children` only to a signed-in user. When it shows the fallback it remembers where the
 * user was going (path, query and hash, in sessionStorage); read it after sign-in with
 * {@link useReturnTo} (in a component) or {@link takeReturnTo}. The location is read while
 * rendering, before any child (a `<Navigate>`) can move it, and stored in a layout effect.
 */
export function RequireAuth({ children, fallback, loading = null, location }: RequireAuthProps) {
  const status = useSession((s) => s.status)
  const given = location === undefined ? null : pathOf(location)
  // Recomputed only when the status or the given location changes: never after a child moved the URL.
  const from = useMemo(
    () =>
      status === 'unauthenticated'
        ? (given ?? (typeof window === 'undefined' ? null : pathOf(window.location)))
        : null,
    [status, given],
  )
  useMountEffect(() => {
    if (from !== null) rememberReturnTo(from)
  }, [from])
  return <>{status === 'authenticated' ? children : status === 'loading' ? loading : fallback}</>
}
