// What every endpoint of the mock shares: its answers' form, the bearer token, and the wrapper
// that counts a call and applies the failure or latency the controls queued for it.
import { HttpResponse, delay } from 'msw'
import type { StateStore } from './persist.js'
import type { MockEndpoint } from './server.js'
import type { MockAuthServer } from './tokens.js'

/** The bearer token of a request, or `null`. */
export const bearer = (request: Request) => {
  const h = request.headers.get('authorization')
  return h?.startsWith('Bearer ') ? h.slice(7) : null
}

/** A JSON answer no cache keeps (auth answers must not be reused). */
export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  HttpResponse.json(body as Record<string, unknown>, {
    status,
    headers: { 'Cache-Control': 'no-store', ...headers },
  })

/** A 401 with why the token was refused. */
export const unauthorized = (why: string) => json({ error: 'unauthorized', reason: why }, 401)

/** An endpoint's own work, given the request and its cookies. */
export type Handle = (
  request: Request,
  cookies: Record<string, string>,
) => Promise<Response> | Response

/** Wraps an endpoint's work into an MSW resolver (see {@link router}). */
export type Route = (
  name: MockEndpoint,
  handle: Handle,
) => (info: { request: Request; cookies: Record<string, string> }) => Promise<Response>

/**
 * The wrapper for every endpoint: counts the call, applies a queued failure or latency, then runs
 * the endpoint on the stored state. The state is loaded again after the delay and saved after each
 * step: other calls, the controls or another tab may change it meanwhile.
 */
export function router(server: MockAuthServer, store: StateStore): Route {
  return (name, handle) =>
    async ({ request, cookies }) => {
      store.load()
      server.state.counts[name] += 1
      const queued = server.state.failures[name]
      const failure = queued && queued.remaining > 0 ? queued.with : null
      if (queued && --queued.remaining <= 0) delete server.state.failures[name]
      const latency = server.state.latency[name] ?? 0
      store.save()
      if (latency > 0) await delay(latency)
      if (failure === 'network') return HttpResponse.error()
      if (failure !== null) return json({ error: 'unavailable' }, failure)
      store.load()
      const response = await handle(request, cookies)
      store.save()
      return response
    }
}
