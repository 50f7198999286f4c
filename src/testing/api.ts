// The testing kit's public shapes: the options of createMockAuthApi and what it returns.
import type { HttpHandler } from 'msw'
import type { Endpoints } from '../core/options.js'
import type { StorageLike } from '../core/types.js'
import type { MockEndpoint, MockPublicUser, MockUser } from './server.js'

/** Options of `createMockAuthApi`. */
export interface MockAuthApiOptions {
  /** Origin (+ prefix) the handlers answer under; `''` matches the page's own origin. @default '' */
  baseURL?: string
  /** Endpoint paths, as given to the keeper. @default the contract's paths */
  endpoints?: Partial<Endpoints>
  /** Path of a protected sample resource (`GET`), answered with `{ items, user, at }`. @default '/api/data' */
  dataPath?: string
  /** Access-token lifetime. @default 900_000 (15 min) */
  accessTtlMs?: number
  /** Refresh-token lifetime. @default 604_800_000 (7 days) */
  refreshTtlMs?: number
  /**
   * How long a just-replaced refresh token is still accepted (rotation grace window, as the
   * README's server advice says: two tabs can race). `0` makes any reuse a theft that revokes the
   * session. @default 5_000
   */
  reuseGraceMs?: number
  /** Known users. @default {@link defaultMockUsers} */
  users?: MockUser[]
  /** `'cookie'`: the refresh token travels in an httpOnly cookie, never in a body. @default 'token' */
  credentials?: 'token' | 'cookie'
  /** The server's clock. @default Date.now (so fake timers move it) */
  now?: () => number
  /**
   * Where the server keeps its state (users, keys, sessions, counts), so that a page reload or
   * another tab meets the same server, as with a real backend. `false`: in memory only.
   * By default, where `globalThis.localStorage` exists (a browser, jsdom), the first mock created
   * in a page takes over the state stored under `session-keeper-mock` (+ `baseURL`) and keeps it
   * there; a further one created in the same page (a test making a fresh mock per test) starts
   * afresh and takes that slot over. Given explicitly, the stored state is always taken over.
   * @default localStorage in a browser, else in memory
   */
  persist?: { storage: StorageLike; key: string } | false
}

/** A mock backend implementing session-keeper's contract, with controls to make it misbehave. */
export interface MockAuthApi {
  /** Pass to `setupServer(...)` (msw/node) or `setupWorker(...)` (msw/browser). */
  handlers: HttpHandler[]
  /** Calls per endpoint since creation or the last `resetCounts()`. */
  readonly counts: Readonly<Record<MockEndpoint, number>>
  /** New signing key. `keepOld: false` makes every existing token incompatible. @default keepOld true */
  rotateSecret(options?: { keepOld?: boolean }): void
  /** Rejects every existing refresh token (and its access tokens) from now on. */
  revokeAll(): void
  /** A restart that forgets its sessions, or keeps them. @default keepSessions false */
  restart(options?: { keepSessions?: boolean }): void
  /** Fails the next `times` calls to `endpoint` with a status or a network error. @default times 1 */
  failNext(endpoint: MockEndpoint, failure: number | 'network', times?: number): void
  /** Delays every answer of `endpoint` by `ms` (0 to stop). */
  setLatency(endpoint: MockEndpoint, ms: number): void
  /** Zeroes the call counts. */
  resetCounts(): void
  /** Back to a new server: users, keys, sessions, failures and counts. */
  reset(): void
  /**
   * Checks the bearer token of a request the way the mock server does, so your own MSW handlers
   * can be protected: returns the user, or `null` (answer 401 then).
   */
  authorize(request: Request): MockPublicUser | null
}
