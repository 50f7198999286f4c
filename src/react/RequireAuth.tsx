import { useEffect, type ReactNode } from 'react'
import { useSession } from './hooks.js'

const RETURN_KEY = 'session-keeper:return-to'

/** Props of {@link RequireAuth}. */
export interface RequireAuthProps {
  /** Shown when signed in. */
  children?: ReactNode
  /** Shown when signed out (a sign-in form, or a redirect element). */
  fallback: ReactNode
  /** Shown while the session is being restored (cookie mode only waits here). @default null */
  loading?: ReactNode
}

/**
 * Shows `children` only to a signed-in user. When it shows the fallback it remembers where the
 * user was going (path, query and hash, in sessionStorage); read it after sign-in with
 * {@link takeReturnTo}.
 */
export function RequireAuth({ children, fallback, loading = null }: RequireAuthProps) {
  const status = useSession((s) => s.status)
  useEffect(() => {
    if (status !== 'unauthenticated') return
    try {
      const { pathname, search, hash } = window.location
      window.sessionStorage.setItem(RETURN_KEY, pathname + search + hash)
    } catch {
      // no storage: nothing to remember
    }
  }, [status])
  if (status === 'authenticated') return <>{children}</>
  return <>{status === 'loading' ? loading : fallback}</>
}

/**
 * Returns (and forgets) the same-origin path the user was on when {@link RequireAuth} asked them
 * to sign in, or `fallback`. Only paths starting with a single `/` are returned, so a stored
 * value can never send the user to another site.
 */
export function takeReturnTo(fallback = '/'): string {
  try {
    const value = window.sessionStorage.getItem(RETURN_KEY)
    window.sessionStorage.removeItem(RETURN_KEY)
    return value && value.startsWith('/') && !value.startsWith('//') ? value : fallback
  } catch {
    return fallback
  }
}
