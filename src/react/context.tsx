import { createContext, useContext, useEffect, useLayoutEffect, type ReactNode } from 'react'
import { SessionError } from '../core/errors.js'
import type { SessionKeeper } from '../core/instance.js'

const KeeperContext = createContext<SessionKeeper<any, any> | null>(null)

/**
 * Layout effect in the browser (before paint, and before any passive effect such as a router's
 * `<Navigate>`); plain effect on the server, where layout effects do not run (and React 18 warns).
 * Decided at render, not at import, so importing this module touches no global; the choice is
 * fixed per runtime, so the hook order never changes between renders.
 * @internal
 */
export const useMountEffect: typeof useEffect = (effect, deps) =>
  (typeof document === 'undefined' ? useEffect : useLayoutEffect)(effect, deps)

/** Props of {@link AuthProvider}. */
export interface AuthProviderProps {
  /** The keeper to provide; create it once, outside components. */
  keeper: SessionKeeper<any, any>
  children?: ReactNode
}

/**
 * Provides a keeper to the tree and keeps it started while mounted. Mounts are counted by the
 * keeper, so StrictMode's double mount leaves exactly one set of interceptors, timers and listeners.
 */
export function AuthProvider({ keeper, children }: AuthProviderProps) {
  useMountEffect(() => keeper.start(), [keeper])
  return <KeeperContext.Provider value={keeper}>{children}</KeeperContext.Provider>
}

/**
 * The keeper from the nearest {@link AuthProvider}, e.g. for `keeper.http` or `getDeadlines()`.
 * The type arguments only name its types; `createAuthHooks(keeper)` gives a `useKeeper` that knows
 * them. Throws a `config` SessionError outside a provider.
 */
export function useKeeper<User = unknown, Credentials extends object = object>(): SessionKeeper<
  User,
  Credentials
> {
  const keeper = useContext(KeeperContext)
  if (!keeper)
    throw new SessionError(
      'config',
      'session-keeper: hooks and RequireAuth must be used inside <AuthProvider keeper={…}>.',
    )
  return keeper as SessionKeeper<User, Credentials>
}
