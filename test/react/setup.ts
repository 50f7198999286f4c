// Shared by the React tests: one MSW server (started before any fake timers), a keeper factory,
// and Testing Library's cleanup.
import { cleanup } from '@testing-library/react'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, vi } from 'vitest'
import {
  createSessionKeeper,
  type SessionKeeper,
  type SessionKeeperOptions,
} from '../../src/index.js'
import { createMockAuthApi } from '../../src/testing/index.js'
import { checkForLeaks, watchIssuedTokens, watchKeeper } from '../leaks.js'

export const API = 'http://api.test'
export interface User {
  username: string
  name?: string
}

export function useReactHarness() {
  const server = setupServer()
  let api = createMockAuthApi({ baseURL: API })
  const keepers: SessionKeeper<User>[] = []
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  watchIssuedTokens(server)
  checkForLeaks()
  afterEach(() => {
    cleanup()
    for (const k of keepers.splice(0)) k.destroy()
    vi.useRealTimers()
    server.resetHandlers()
    api = createMockAuthApi({ baseURL: API })
    server.use(...api.handlers)
    localStorage.clear()
    sessionStorage.clear()
  })
  afterAll(() => server.close())
  server.use(...api.handlers)
  return {
    api: () => api,
    makeKeeper(opts: SessionKeeperOptions<User> = {}) {
      const keeper = createSessionKeeper<User>({
        baseURL: API,
        secret: 'react-test-secret-0123456789',
        storage: 'memory',
        crossTab: false,
        healthInterval: false,
        verifyOnRestore: false,
        ...opts,
      })
      keepers.push(keeper)
      watchKeeper(keeper)
      return keeper
    },
  }
}

/** Counts request interceptors actually installed on an axios instance. */
export const interceptorCount = (keeper: SessionKeeper<User>) =>
  (keeper.http.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(Boolean)
    .length
