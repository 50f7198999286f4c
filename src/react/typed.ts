import type { SessionKeeper } from '../core/instance.js'
import type { SessionEventOf, SessionEventType, SessionSnapshot } from '../core/types.js'
import { useKeeper } from './context.js'
import { useSessionEvent } from './events.js'
import { useAuth, useSession, type AuthState } from './hooks.js'

/** The hooks {@link createAuthHooks} returns, typed by one keeper's `User` and `Credentials`. */
export interface AuthHooks<User, Credentials extends object = object> {
  /** The provider's keeper, typed. */
  useKeeper(): SessionKeeper<User, Credentials>
  /** {@link useAuth} with `user: User | null` and `login(credentials: Credentials)`. */
  useAuth(): AuthState<User, Credentials>
  /** The whole snapshot. */
  useSession(): SessionSnapshot<User>
  /** {@link useSession}: the selected type is inferred from the selector, `s` needs no annotation. */
  useSession<T>(
    selector: (snapshot: SessionSnapshot<User>) => T,
    isEqual?: (a: T, b: T) => boolean,
  ): T
  /** {@link useSessionEvent} with events that know `User` (`loggedIn`'s `user`). */
  useSessionEvent<T extends SessionEventType>(
    type: T,
    handler: (event: SessionEventOf<T, User>) => void,
  ): void
}

/**
 * Types the hooks once for the whole app: `export const { useAuth, useSession } =
 * createAuthHooks(keeper)` in the module that creates the keeper, then import them from there.
 * `User` and `Credentials` come from the keeper (`createSessionKeeper<User, Credentials>`), or
 * from the type arguments when the keeper is not at hand (`createAuthHooks<User, Credentials>()`).
 *
 * The hooks still read the keeper of the nearest `AuthProvider` (so a test can provide another
 * keeper of the same types); the argument only carries the types. A factory rather than a global
 * `Register` interface: two keepers (or a test with another `User`) in one program cannot clash,
 * and no module augmentation is needed across the package's ESM and CJS type files.
 */
export function createAuthHooks<User, Credentials extends object = object>(
  keeper?: SessionKeeper<User, Credentials>,
): AuthHooks<User, Credentials> {
  void keeper
  return { useKeeper, useAuth, useSession, useSessionEvent } as AuthHooks<User, Credentials>
}
