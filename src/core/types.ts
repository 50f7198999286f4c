/**
 * Why a session ended.
 *
 * - `logout`: the user (or the app) logged out.
 * - `expired`: the restored session's tokens could no longer be used.
 * - `idle`: no user activity in any tab for `idleTimeout`.
 * - `absolute-timeout`: the session reached `absoluteTimeout` since login.
 * - `refresh-rejected`: the server refused the refresh token (401/400/403).
 * - `incompatible`: the server's signing secret changed and the token can never be valid again.
 * - `revoked`: the server says the session is no longer authenticated and refresh was refused.
 * - `tampered`: the stored session failed its integrity check.
 */
export type EndReason =
  | 'logout'
  | 'expired'
  | 'idle'
  | 'absolute-timeout'
  | 'refresh-rejected'
  | 'incompatible'
  | 'revoked'
  | 'tampered'

/** Every {@link EndReason}, to check one read from storage or another tab. */
export const END_REASONS: ReadonlySet<string> = new Set<EndReason>([
  'logout',
  'expired',
  'idle',
  'absolute-timeout',
  'refresh-rejected',
  'incompatible',
  'revoked',
  'tampered',
])

/**
 * What the app can see of the session. The same object is returned until something changes,
 * so it can be compared by reference. Narrow on `status`.
 */
export type SessionSnapshot<User = unknown> =
  | { readonly status: 'loading' }
  | {
      readonly status: 'authenticated'
      /** The signed-in user, as the server last described them. */
      readonly user: User | null
      /** When the access token expires (ms since epoch, client clock), or `null` if unknown. */
      readonly expiresAt: number | null
      /** While the idle warning is on: the moment it began. Otherwise `null`. */
      readonly idleWarningAt: number | null
    }
  | {
      readonly status: 'unauthenticated'
      /** Why the last session ended; `null` when there never was one. */
      readonly reason: EndReason | null
    }

/** Body of `GET token-health`. */
export interface TokenHealth {
  /** `false` when the token was signed with a secret the server no longer accepts. */
  compatible: boolean
  /** `false` when the server no longer accepts this token as a live session. */
  authenticated: boolean
  /** Key version the token was signed with, as the server reports it. */
  token_version?: number | string | null
  /** Key version the server signs with now. */
  server_version?: number | string | null
}

/** What `mapAuthResponse` returns: the tokens and user found in an auth response body. */
export interface AuthResult<User = unknown> {
  accessToken: string
  refreshToken?: string | null
  /** Access-token lifetime in seconds, counted from when the response was received. */
  expiresIn?: number | null
  user?: User | null
}

/** Why stored session data was rejected or could not be written. */
export type StorageErrorReason =
  'tampered' | 'corrupt' | 'unsupported-version' | 'unavailable' | 'quota'

/** Every event the keeper emits, as a discriminated union on `type`. None carries a token. */
export type SessionEvent<User = unknown> =
  | { type: 'loggedIn'; user: User | null }
  | { type: 'loggedOut'; reason: EndReason }
  | { type: 'refreshed'; expiresAt: number | null }
  | {
      type: 'refreshFailed'
      error: import('./errors.js').SessionError
      /** When the next automatic attempt happens, or `null` if the session ended. */
      retryInMs: number | null
    }
  | { type: 'healthChecked'; health: TokenHealth }
  | { type: 'idleWarning'; logoutAt: number }
  | { type: 'active' }
  | { type: 'storageError'; reason: StorageErrorReason }
  | { type: 'synced'; from: 'other-tab' | 'storage' }
  | {
      /**
       * The server did not hear a sign-out (network, 5xx) or refused it (its refresh token may
       * live on there). It is said again after `retryInMs`, or `null` when retrying cannot help.
       */
      type: 'logoutFailed'
      error: import('./errors.js').SessionError
      retryInMs: number | null
    }

/** The names of {@link SessionEvent}s. */
export type SessionEventType = SessionEvent['type']

/** Every event type, e.g. to log them all: `for (const t of sessionEventTypes) keeper.on(t, log)`. */
export const sessionEventTypes: readonly SessionEventType[] = Object.freeze([
  'loggedIn',
  'loggedOut',
  'refreshed',
  'refreshFailed',
  'healthChecked',
  'idleWarning',
  'active',
  'storageError',
  'synced',
  'logoutFailed',
])

/** The event of a given type. */
export type SessionEventOf<T extends SessionEventType, User = unknown> = Extract<
  SessionEvent<User>,
  { type: T }
>

/** Minimal web-storage shape; `localStorage`, `sessionStorage` or your own object. */
export interface StorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}
