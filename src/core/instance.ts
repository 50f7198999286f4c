import type { AxiosInstance } from 'axios'
import type {
  AuthResult,
  SessionEventOf,
  SessionEventType,
  SessionSnapshot,
  TokenHealth,
} from './types.js'

/**
 * A running session: the axios instance, the snapshot store, the event stream and the actions.
 * `Credentials` types what `login` takes, so a misspelt field fails to compile.
 */
export interface SessionKeeper<User = unknown, Credentials extends object = object> {
  /** The axios instance with the interceptors attached (while started). */
  readonly http: AxiosInstance
  /** The timing options in force (after defaults), e.g. to show countdowns. */
  readonly timing: Readonly<{
    refreshMargin: number
    idleTimeout: number | false
    idleWarning: number
    idleConfirm: boolean
    absoluteTimeout: number | false
    healthInterval: number | false
  }>
  /** The current snapshot; the same object until something changes. */
  getSnapshot(): SessionSnapshot<User>
  /** Calls `listener` after each snapshot change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void
  /** Subscribes to one event type; returns the unsubscribe function. */
  on<T extends SessionEventType>(
    type: T,
    handler: (event: SessionEventOf<T, User>) => void,
  ): () => void
  /** Signs in. Rejects with `invalid_credentials` (4xx) or `unavailable` (network, 5xx). */
  login(credentials: Credentials): Promise<User | null>
  /**
   * Registers and signs in with the returned tokens (any 2xx, 201 included). A 2xx with no access
   * token (the server confirms accounts by email, say) resolves to the body's `user` and signs
   * nobody in: check `getSnapshot().status`.
   */
  register(details: object): Promise<User | null>
  /**
   * Signs in with tokens the app already holds, with no sign-in call: the way off tokens kept by
   * hand (in `localStorage`, say) that signs nobody out. Stored encrypted, shared with every tab,
   * announced as `loggedIn`. Without `user`, one background `verify` fetches it (call this after
   * `start()`: that call needs the interceptors). Never pass tokens read from the URL (session
   * fixation).
   * @throws SessionError `invalid_credentials` for an empty or non-string token (nothing changes),
   * `config` in cookie mode (the server's cookie is the session there).
   */
  setSession(tokens: AuthResult<User>): void
  /** Ends the session here and in every tab at once, then tells the server. Never rejects. */
  logout(): Promise<void>
  /** Refreshes now: one call however many callers, across tabs too. */
  refresh(): Promise<void>
  /** One token-health call now; resolves to the health body. */
  checkHealth(): Promise<TokenHealth>
  /**
   * Records user activity the DOM does not see (a video playing, a long upload), or the user's
   * explicit "Stay signed in": it always ends an idle warning, `idleConfirm` or not.
   */
  touch(): void
  /**
   * The session's upcoming deadlines (ms since epoch), for countdowns. A read, not a
   * subscription: activity moves the idle deadlines without changing the snapshot.
   */
  getDeadlines(): SessionDeadlines
  /** Restores (synchronously in token mode), then starts timers and listeners. Returns `stop`. */
  start(): () => void
  /** Ejects the interceptors and clears every timer and listener. */
  destroy(): void
}

/** When things will happen to the current session; `null` where nothing will (or no session). */
export interface SessionDeadlines {
  /** Next automatic refresh (or retry after a failure). */
  refreshAt: number | null
  /** When the idle warning starts (or started). */
  idleWarningAt: number | null
  /** When the idle logout happens unless there is activity. */
  idleLogoutAt: number | null
  /** When `absoluteTimeout` ends the session. */
  absoluteLogoutAt: number | null
}
