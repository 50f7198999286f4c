import type { AxiosInstance } from 'axios'
import { systemClock, type Clock } from './clock.js'
import { SessionError } from './errors.js'
import type { Environment } from './environment.js'
import type { AuthResult, StorageLike } from './types.js'

/** Paths of the backend contract, relative to `baseURL`. */
export interface Endpoints {
  /** @default '/api/auth/login' */
  login: string
  /** @default '/api/auth/register' */
  register: string
  /** @default '/api/auth/refresh' */
  refresh: string
  /** @default '/api/auth/verify' */
  verify: string
  /** @default '/api/auth/profile' */
  profile: string
  /** @default '/api/auth/token-health' */
  health: string
  /** @default '/api/auth/logout' */
  logout: string
}

/** The default endpoint paths of the backend contract. */
export const defaultEndpoints: Readonly<Endpoints> = Object.freeze({
  login: '/api/auth/login',
  register: '/api/auth/register',
  refresh: '/api/auth/refresh',
  verify: '/api/auth/verify',
  profile: '/api/auth/profile',
  health: '/api/auth/token-health',
  logout: '/api/auth/logout',
})

/**
 * Options of {@link createSessionKeeper}. All durations are milliseconds. `User` defaults to `any`
 * so that options typed without it (`Partial<SessionKeeperOptions>`) fit any keeper.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface SessionKeeperOptions<User = any, Credentials extends object = object> {
  /** API origin plus optional path prefix; tokens and cookies go only under it. @default '' (same origin) */
  baseURL?: string
  /** Partial override of the endpoint paths. @default {@link defaultEndpoints} */
  endpoints?: Partial<Endpoints>
  /**
   * `'token'`: bearer tokens, refresh token kept in the encrypted store. `'cookie'`: the server
   * keeps tokens in httpOnly cookies; requests go `withCredentials`, nothing token-bearing is persisted.
   * @default 'token'
   */
  credentials?: 'token' | 'cookie'
  /** Key material for the encrypted store (at least 16 characters of high entropy). Required with persistent storage in token mode. */
  secret?: string
  /**
   * Where the session is kept. A web storage that throws or is missing falls back to memory.
   * `'session'` keeps one session per tab, which other tabs cannot read: a sign-out reaches only
   * tabs signed in before it, and a duplicated tab shares (and, with rotation, spends) the
   * original's refresh token.
   * @default 'local'
   */
  storage?: 'local' | 'session' | 'memory' | StorageLike
  /** The storage slot name, bound into the MAC. @default 'session-keeper' */
  storageKey?: string
  /** Refresh this long before the access token expires (at most half its lifetime). @default 60_000 */
  refreshMargin?: number
  /** Token-health poll period, or `false` for none. @default 300_000 */
  healthInterval?: number | false
  /** Log out after this long without activity in any tab, or `false`. @default 1_800_000 */
  idleTimeout?: number | false
  /** Warn this long before the idle logout (at most half of `idleTimeout`). @default 60_000 */
  idleWarning?: number
  /**
   * While the idle warning is on, only an explicit `touch()` (the dialog's "Stay signed in", see
   * `useIdleWarning().stayActive`) ends it; pointer, key and scroll events do not, so reaching for
   * the button is not taken for an answer (banking-style).
   * @default false
   */
  idleConfirm?: boolean
  /** No session outlives this since login, or `false`. @default 28_800_000 */
  absoluteTimeout?: number | false
  /** Share login, logout, tokens and activity between tabs. @default true */
  crossTab?: boolean
  /** An axios instance to install the interceptors on. @default a new instance with `baseURL` */
  http?: AxiosInstance
  /** Reads tokens and user from an auth response body; return `null` when it holds none. @default reads the common field names */
  mapAuthResponse?: (body: unknown) => AuthResult<User> | null
  /** How to talk to the auth server. @default contract({ endpoints, mapAuthResponse }) */
  backend?: import('./backend.js').SessionBackend<User, Credentials>
  /** Timeout of one refresh call. @default 10_000 */
  refreshTimeout?: number
  /**
   * How long to wait for another tab's refresh lock before re-reading storage and taking over. With
   * Web Locks a waiting tab also waits out the holder's `refreshTimeout` (+1 s), counted from when
   * that holder took the lock: the browser frees a dead tab's lock at once, so only a live holder
   * can be waited on, and its refresh is bounded.
   * @default 5_000
   */
  lockTimeout?: number
  /** Confirm a restored session with one background `verify` call. @default true */
  verifyOnRestore?: boolean
  /** The time source. @default {@link systemClock} */
  clock?: Clock
  /** Browser globals, for tests and non-DOM runtimes. @default resolved from `globalThis` at `start()` */
  environment?: Partial<Environment>
}

/** Options with every default applied. */
export interface ResolvedOptions<User> extends Required<
  Omit<
    SessionKeeperOptions<User>,
    'secret' | 'http' | 'endpoints' | 'environment' | 'mapAuthResponse' | 'backend'
  >
> {
  secret?: string
  endpoints: Endpoints
  environment: Partial<Environment>
  mapAuthResponse?: (body: unknown) => AuthResult<User> | null
}

/** Drops the keys whose value is `undefined`, so they do not override the defaults. */
const defined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>

/** Applies defaults and validates; throws `SessionError` code `config` on anything unusable. */
export function resolveOptions<User>(options: SessionKeeperOptions<User>): ResolvedOptions<User> {
  const check = (ok: unknown, message: string) => {
    if (!ok) throw new SessionError('config', `session-keeper: ${message}`)
  }
  check(options !== null && typeof options === 'object', 'options must be an object')
  const o: ResolvedOptions<User> = {
    baseURL: '',
    credentials: 'token',
    storage: 'local',
    storageKey: 'session-keeper',
    refreshMargin: 60_000,
    healthInterval: 300_000,
    idleTimeout: 1_800_000,
    idleWarning: 60_000,
    absoluteTimeout: 28_800_000,
    crossTab: true,
    refreshTimeout: 10_000,
    lockTimeout: 5_000,
    verifyOnRestore: true,
    idleConfirm: false,
    clock: systemClock,
    ...defined(options),
    endpoints: { ...defaultEndpoints, ...defined(options.endpoints ?? {}) },
    environment: options.environment ?? {},
  }
  const { storage: s, secret, idleTimeout } = o
  check(typeof o.baseURL === 'string', 'baseURL must be a string')
  check(['token', 'cookie'].includes(o.credentials), `credentials must be 'token' or 'cookie'`)
  check(o.storageKey && typeof o.storageKey === 'string', 'storageKey must be a non-empty string')
  if (typeof s === 'object' && s)
    check(
      ['getItem', 'setItem', 'removeItem'].every((m) => typeof (s as never)[m] === 'function'),
      'storage must have getItem, setItem and removeItem',
    )
  else
    check(
      ['local', 'session', 'memory'].includes(s),
      `storage must be 'local', 'session', 'memory' or a Storage-like object`,
    )
  // Durations: the first four must be numbers, the others may also be `false` (off).
  ;(
    [
      'refreshMargin',
      'idleWarning',
      'refreshTimeout',
      'lockTimeout',
      'healthInterval',
      'idleTimeout',
      'absoluteTimeout',
    ] as const
  ).forEach((k, i) => {
    const v = o[k]
    check(
      (i > 3 && v === false) || (typeof v === 'number' && v > 0 && v < Infinity),
      `${k} must be a positive number of milliseconds${i > 3 ? ' or false' : ''}`,
    )
  })
  // Like the refresh margin, the warning takes at most half the idle period, so any positive
  // idleTimeout works with the default idleWarning.
  if (idleTimeout !== false) o.idleWarning = Math.min(o.idleWarning, idleTimeout / 2)
  check(
    secret === undefined || (typeof secret === 'string' && secret.length >= 16),
    'secret must be a high-entropy string of at least 16 characters',
  )
  check(
    o.credentials === 'cookie' || s === 'memory' || secret !== undefined,
    `a secret is required to encrypt the session in persistent storage (or use storage: 'memory')`,
  )
  for (const [name, path] of Object.entries(o.endpoints))
    check(typeof path === 'string', `endpoints.${name} must be a string`)
  return o
}
