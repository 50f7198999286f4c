import type { AxiosInstance, AxiosRequestConfig } from 'axios'
import type { AuthCall, AuthRequest, FailureKind, SessionBackend } from '../core/backend.js'
import { statusOf } from '../core/errors.js'
import { nonEmptyString } from '../core/tokens.js'
import type { AuthResult } from '../core/types.js'
import { AUTH_CALL, fullURL } from '../http/scope.js'

/** The keeper's own auth calls. See {@link createAuthCalls}. */
export type AuthCalls = ReturnType<typeof createAuthCalls>

/** 408, 429, 5xx and network errors are worth another try; any other 4xx is a refusal. */
export const defaultKind = (status: number | undefined): FailureKind =>
  !status || status === 408 || status === 429 || status >= 500 ? 'transient' : 'refused'

/** A form body: fields left out when `null` or `undefined`. */
const formOf = (body: Record<string, unknown>) =>
  new URLSearchParams(Object.entries(body).flatMap(([k, v]) => (v == null ? [] : [[k, String(v)]])))

/**
 * Sends the requests a backend adapter builds, and classifies their failures. Auth calls skip the
 * request gate and are never refreshed-for or retried; a `gated` call (restore-time user check,
 * health poll) under `baseURL` goes through the interceptors instead, so it waits for a refresh in
 * flight and a 401 is refreshed and retried like any API call.
 */
export function createAuthCalls(
  http: AxiosInstance,
  backend: SessionBackend<any, any>,
  baseURL: string,
  timeout: number,
  inScope: (url: string) => boolean,
) {
  return {
    /** The absolute URL of a request the adapter built. */
    url: (request: AuthRequest) => fullURL(baseURL, request.url),

    async send(request: AuthRequest, gated = false): Promise<unknown> {
      const { method = 'POST', body, form, headers = {}, bearer } = request
      const url = fullURL(baseURL, request.url)
      const viaGate = gated && inScope(url)
      const config: AxiosRequestConfig & Record<string, unknown> = {
        url,
        method,
        timeout,
        headers: {
          ...headers,
          ...(bearer && !viaGate ? { Authorization: `Bearer ${bearer}` } : {}),
        },
        data: body && form ? formOf(body) : body,
      }
      if (!viaGate) config[AUTH_CALL] = true
      return (await http.request(config)).data
    },

    /** The adapter's reading of a sign-in or refresh answer, made safe: a non-empty access token, or `null`. */
    readTokens<User>(body: unknown): AuthResult<User> | null {
      try {
        const r = backend.readTokens(body) as AuthResult<User> | null
        return r && nonEmptyString(r.accessToken) ? r : null
      } catch {
        return null
      }
    },

    /** What a failed call means, by the adapter's reading (or the default one). */
    kind(call: AuthCall, error: unknown): FailureKind {
      const status = statusOf(error)
      const body = (error as { response?: { data?: unknown } } | null)?.response?.data
      return backend.classify?.(call, { status, body }) ?? defaultKind(status)
    },
  }
}
