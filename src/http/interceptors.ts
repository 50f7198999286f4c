import type {
  AxiosAdapter,
  AxiosError,
  AxiosInstance,
  AxiosRequestConfig,
  InternalAxiosRequestConfig,
} from 'axios'
import { sidOf, type Session } from '../core/tokens.js'
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

/**
 * Per-request bookkeeping, kept on the config because axios copies it into the retry: the
 * credentials the request carried (the access token, or the revision in cookie mode), and whether
 * it is the retry. Two plain keys rather than one object: no allocation per request.
 */
const SENT = '__sessionKeeperSent'
const RETRIED = '__sessionKeeperRetried'
/** Which sign-in the request went out for. */
const SIGNIN = '__sessionKeeperSignIn'
type Config = InternalAxiosRequestConfig & {
  [SENT]?: string | number | null
  [SIGNIN]?: number
  [RETRIED]?: boolean
  [AUTH_CALL]?: boolean
}
/** What a config's `adapter` may hold: a function, a built-in adapter's name, or a list of them. */
type AdapterSetting = AxiosRequestConfig['adapter']
/** Marks an adapter that signs its requests (so a per-request adapter is gated once). */
const GATED = '__sessionKeeperGated'
type Gated = AxiosAdapter & { [GATED]?: true }

/** What the interceptors need from the keeper. */
export interface InterceptorHost<User> {
  cookieMode: boolean
  /** Where a request goes (see `createScope`). */
  destination(url: string): Destination
  /** The session's credentials once usable (a promise when it must wait); `null` without a session. */
  authorize(): Session<User> | null | Promise<Session<User> | null>
  getSession(): Session<User> | null
  refresh(): Promise<Session<User>>
  /** Resolves an adapter setting to the function axios would call (axios's `getAdapter`). */
  resolveAdapter(adapter: AdapterSetting, config: Config): AxiosAdapter
}

/**
 * Installs the request gate and the 401 retry. Returns a function that removes both.
 * Requests outside the API base are never touched: no header, no credentials, no retry.
 *
 * The gate wraps the instance's adapter rather than adding a request interceptor: axios runs an
 * asynchronous interceptor chain as one promise step per interceptor and normalises the headers
 * again after it, which cost more than everything the gate itself does (see bench/hotpath.mjs).
 * The adapter is the last thing axios calls, after the app's own interceptors and the request's
 * transforms, so a request still waits for a refresh before it goes out and carries the token the
 * refresh brought. A request given an adapter of its own is gated too, by a synchronous interceptor
 * that runs only for such a request.
 */
export function installInterceptors<User>(
  http: AxiosInstance,
  host: InterceptorHost<User>,
): () => void {
  // An app calls a handful of URLs again and again: the scope check (a pure function of the base
  // and the URL) is remembered rather than redone per request, for one base URL at a time.
  let seen = new Map<string | undefined, Destination>()
  let seenBase: string | undefined
  const where = (baseURL: string | undefined, url: string | undefined): Destination => {
    // at most 500 URLs' decisions are kept, then all forgotten
    if (baseURL !== seenBase || seen.size > 500) ((seen = new Map()), (seenBase = baseURL))
    let found = seen.get(url)
    if (!found) seen.set(url, (found = host.destination(fullURL(baseURL, url))))
    return found
  }
  const classify = (config: Config): Destination => {
    if (config.skipAuth) return 'outside'
    const kind = where(config.baseURL, config.url)
    return kind === 'api' && config[AUTH_CALL] ? 'auth' : kind
  }

  // The header's text, built once per token rather than per request.
  let token: string | null = null
  let bearer = ''
  /** Puts the session's credentials on the request. */
  const sign = (config: Config, session: Session<User> | null) => {
    config[SENT] = credentialsOf(session)
    if (session) config[SIGNIN] = sidOf(session)
    if (session?.accessToken) {
      if (session.accessToken !== token) bearer = `Bearer ${(token = session.accessToken)}`
      config.headers.set('Authorization', bearer)
    }
    return config
  }

  /** `adapter`, sending each request with the session's credentials once they are usable. */
  const gate = (adapter: AdapterSetting): Gated => {
    const gated: Gated = (config: Config) => {
      const send = typeof adapter === 'function' ? adapter : host.resolveAdapter(adapter, config)
      const kind = classify(config)
      if (kind === 'outside') return send(config)
      if (host.cookieMode) config.withCredentials = true
      if (kind === 'auth') return send(config)
      // Not async: a request that need not wait goes on without an extra promise.
      const session = host.authorize()
      return session instanceof Promise
        ? session.then((s) => send(sign(config, s)))
        : send(sign(config, session))
    }
    gated[GATED] = true
    return gated
  }

  const original = http.defaults.adapter
  const ours = gate(original)
  http.defaults.adapter = ours
  // Only for a request that brings its own adapter (or an instance whose adapter the app replaced
  // after start): the request is gated all the same.
  const request = http.interceptors.request.use(
    (config) => ((config.adapter = gate(config.adapter)), config),
    undefined,
    { synchronous: true, runWhen: (config) => !(config.adapter as Gated | undefined)?.[GATED] },
  )

  const response = http.interceptors.response.use(undefined, async (error: AxiosError) => {
    const config = error.config as Config | undefined
    if (error.response?.status !== 401 || !config || classify(config) !== 'api') throw error
    const session = host.getSession()
    // No second attempt, and nothing to refresh without a session: the caller gets the 401.
    if (!(SENT in config) || config[RETRIED] || !session) throw error
    config[RETRIED] = true
    // A 401 for credentials that have since been replaced (another request or tab refreshed)
    // is retried with the new ones, without refreshing again; never as another sign-in (an
    // account switched meanwhile): the request was the old account's.
    if (config[SENT] === credentialsOf(session)) {
      // token mode with no refresh token (the server sent none): nothing to refresh with
      if (!host.cookieMode && !session.refreshToken) throw error
      await host.refresh()
    } else if (config[SIGNIN] !== undefined && config[SIGNIN] !== sidOf(session)) throw error
    config.headers.delete('Authorization')
    return http.request(config)
  })

  return () => {
    // An adapter the app set after start stays; ours gives the original back.
    if (http.defaults.adapter === ours) http.defaults.adapter = original
    http.interceptors.request.eject(request)
    http.interceptors.response.eject(response)
  }
}

/** What identifies the credentials a request goes out with. */
const credentialsOf = (session: Session<unknown> | null) =>
  session?.accessToken ?? session?.rev ?? null
