import type { AxiosError, AxiosInstance, InternalAxiosRequestConfig } from 'axios'
import type { Session } from '../core/tokens.js'
import { AUTH_CALL, fullURL, type Destination } from './scope.js'

declare module 'axios' {
  interface AxiosRequestConfig {
    /**
     * session-keeper: send this request as it is, with no bearer token, no wait for a refresh
     * and no retry on 401.
     * @default false
     */
    skipAuth?: boolean
    /** @internal session-keeper's own auth-endpoint call (no gate, no retry). */
    __sessionKeeperAuthCall?: boolean
  }
}

/** Per-request bookkeeping, kept on the config because axios copies it into the retry. */
const META = '__sessionKeeper'
interface Meta {
  /** The credentials this request carried: the access token, or the revision in cookie mode. */
  sent: string | number | null
  retried: boolean
}
type Config = InternalAxiosRequestConfig & { [META]?: Meta; [AUTH_CALL]?: boolean }

/** What the interceptors need from the keeper. */
export interface InterceptorHost<User> {
  cookieMode: boolean
  /** Where a request goes (see `createScope`). */
  destination(url: string): Destination
  /** The session's credentials once usable (a promise when it must wait); `null` without a session. */
  authorize(): Session<User> | null | Promise<Session<User> | null>
  getSession(): Session<User> | null
  refresh(): Promise<Session<User>>
}

/**
 * Installs the request gate and the 401 retry. Returns a function that ejects both.
 * Requests outside the API base are never touched: no header, no credentials, no retry.
 */
export function installInterceptors<User>(
  http: AxiosInstance,
  host: InterceptorHost<User>,
): () => void {
  const classify = (config: Config): Destination => {
    if (config.skipAuth) return 'outside'
    const where = host.destination(fullURL(config.baseURL, config.url))
    return where === 'api' && config[AUTH_CALL] ? 'auth' : where
  }

  /** Puts the session's credentials on the request. */
  const sign = (config: Config, session: Session<User> | null) => {
    config[META] = { sent: credentialsOf(session), retried: config[META]?.retried ?? false }
    if (session?.accessToken) config.headers.set('Authorization', `Bearer ${session.accessToken}`)
    return config
  }

  // Not async: a request that need not wait goes on without an extra promise.
  const request = http.interceptors.request.use((config: Config) => {
    const kind = classify(config)
    if (kind === 'outside') return config
    if (host.cookieMode) config.withCredentials = true
    if (kind === 'auth') return config
    const session = host.authorize()
    return session instanceof Promise ? session.then((s) => sign(config, s)) : sign(config, session)
  })

  const response = http.interceptors.response.use(undefined, async (error: AxiosError) => {
    const config = error.config as Config | undefined
    if (error.response?.status !== 401 || !config || classify(config) !== 'api') throw error
    const meta = config[META]
    const session = host.getSession()
    // No second attempt, and nothing to refresh without a session: the caller gets the 401.
    if (!meta || meta.retried || !session) throw error
    meta.retried = true
    // A 401 for credentials that have since been replaced (another request or tab refreshed)
    // is retried with the new ones, without refreshing again.
    if (meta.sent === credentialsOf(session)) await host.refresh()
    config.headers.delete('Authorization')
    return http.request(config)
  })

  return () => {
    http.interceptors.request.eject(request)
    http.interceptors.response.eject(response)
  }
}

/** What identifies the credentials a request goes out with. */
const credentialsOf = (session: Session<unknown> | null) =>
  session?.accessToken ?? session?.rev ?? null
