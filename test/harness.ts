// The one mock API every core test uses, plus helpers to make keepers ("tabs") against it.
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, vi } from 'vitest'
import {
  createSessionKeeper,
  sessionEventTypes,
  type SessionKeeper,
  type SessionKeeperOptions,
} from '../src/index.js'
import { MemoryStorage } from '../src/storage/store.js'
import { createMockAuthApi, type MockAuthApiOptions } from '../src/testing/index.js'
import { checkForLeaks, watchIssuedTokens, watchKeeper } from './leaks.js'

export const API = 'http://api.test'
export const SECRET = 'test-secret-0123456789abcdef'

export interface User {
  username: string
  name?: string
  role?: string
}

/**
 * Starts one MSW server for the file with a fresh mock API before each test; `api()` returns it.
 * Every keeper made with `makeKeeper` is destroyed after each test. The mock keeps its state in
 * memory (`persist: false`) unless `options` say otherwise.
 *
 * `dom: true` is for the React tests (jsdom): keepers use the page's real globals (window,
 * document: the activity tracker listens there) and web storage is cleared after each test. Call
 * `afterEach(cleanup)` of Testing Library after this, so that trees unmount before keepers go.
 */
export function useMockApi(options: MockAuthApiOptions = {}, { dom = false } = {}) {
  const create = () => createMockAuthApi({ baseURL: API, persist: false, ...options })
  let current = create()
  const server = setupServer()
  const keepers: SessionKeeper<User>[] = []
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  watchIssuedTokens(server)
  checkForLeaks()
  afterEach(() => {
    for (const k of keepers.splice(0)) k.destroy()
    server.resetHandlers()
    vi.useRealTimers()
    current = create()
    server.use(...current.handlers)
    if (dom) {
      localStorage.clear()
      sessionStorage.clear()
    }
  })
  afterAll(() => server.close())
  server.use(...current.handlers)
  return {
    server,
    api: () => current,
    /** Makes (and later destroys) a keeper against the mock API. Not started. */
    makeKeeper<Credentials extends object = object>(
      opts: SessionKeeperOptions<User, Credentials> = {},
    ): SessionKeeper<User, Credentials> {
      const keeper = createSessionKeeper<User, Credentials>({
        baseURL: API,
        secret: SECRET,
        storage: dom ? 'memory' : new MemoryStorage(),
        crossTab: false,
        healthInterval: false,
        verifyOnRestore: false,
        ...(dom
          ? {}
          : { environment: { window: null, document: null, openChannel: null, locks: null } }),
        ...opts,
      })
      keepers.push(keeper as SessionKeeper<User>)
      watchKeeper(keeper as SessionKeeper<User>)
      return keeper
    },
  }
}

/** Counts request interceptors actually installed on a keeper's axios instance. */
export const interceptorCount = (keeper: SessionKeeper<any, any>) =>
  (keeper.http.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(Boolean)
    .length

/** Collects every event of a keeper, in order. */
export function recordEvents(keeper: SessionKeeper<User>) {
  const events: Array<{ type: string; [k: string]: unknown }> = []
  for (const type of sessionEventTypes) keeper.on(type, (e) => events.push(e as never))
  return events
}

export { MemoryStorage }

/**
 * Resolves `promise` while advancing fake time: first in zero-length turns (requests need a few),
 * then `stepMs` at a time (50 ms if 0) for short waits such as a contended lock's settle time.
 */
export async function settle<T>(promise: Promise<T>, stepMs = 0, maxSteps = 60): Promise<T> {
  let done = false
  const tracked = promise.finally(() => {
    done = true
  })
  tracked.catch(() => {})
  for (let i = 0; i < 10 && !done; i++) await vi.advanceTimersByTimeAsync(0)
  for (let i = 0; i < maxSteps && !done; i++) await vi.advanceTimersByTimeAsync(stepMs || 50)
  return tracked
}

/** Every mocked response: method, path, status and the bearer it answered. */
export function recordResponses(server: ReturnType<typeof useMockApi>['server']) {
  const seen: Array<{ method: string; path: string; status: number; bearer: string | null }> = []
  const listener = ({ request, response }: { request: Request; response: Response }) => {
    const auth = request.headers.get('authorization')
    seen.push({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      bearer: auth?.startsWith('Bearer ') ? auth.slice(7) : null,
    })
  }
  server.events.on('response:mocked', listener)
  return {
    seen,
    to: (path: string) => seen.filter((r) => r.path === path),
    stop: () => server.events.removeListener('response:mocked', listener),
  }
}

export const ADA = { username: 'ada', password: 'lovelace' }

/**
 * Signs Ada in at `base` without session-keeper, as an app's own login code did before it: the raw
 * tokens such an app kept by hand.
 */
export async function handKeptTokens(base: string = API) {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADA),
  })
  const body = (await response.json()) as { access_token: string; refresh_token: string }
  return { accessToken: body.access_token, refreshToken: body.refresh_token }
}

/** Lets `ms` of fake time pass in 50 ms steps, after a few zero-length turns for pending I/O. */
export async function pass(ms = 1_000): Promise<void> {
  for (let i = 0; i < 10; i++) await vi.advanceTimersByTimeAsync(0)
  for (let t = 0; t < ms; t += 50) await vi.advanceTimersByTimeAsync(Math.min(50, ms - t))
}
