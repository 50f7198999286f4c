import { http, HttpResponse } from 'msw'
import { setupWorker } from 'msw/browser'
import { createMockAuthApi } from 'session-keeper/testing'
import { loadSettings } from './settings'

const settings = loadSettings()

/**
 * The mock API, answered in the browser by the MSW worker. Its state lives in localStorage so all
 * tabs of the demo talk to one "server".
 */
export const api = createMockAuthApi({
  accessTtlMs: settings.accessTtlS * 1000,
  reuseGraceMs: 2_000,
  persist: { storage: localStorage, key: 'sk-demo-server' },
})

export const worker = setupWorker(...api.handlers)

let offline = false
const offlineListeners = new Set<() => void>()
/** Simulates losing the network: every API call fails until back online. */
export function setOffline(value: boolean): void {
  if (value === offline) return
  offline = value
  worker.resetHandlers()
  if (value) worker.use(http.all('/api/*', () => HttpResponse.error()))
  offlineListeners.forEach((l) => l())
  // the browser fires these on real network changes; the keeper retries a pending refresh on 'online'
  window.dispatchEvent(new Event(value ? 'offline' : 'online'))
}
export const isOffline = () => offline
/** Whether this tab is offline, for components (React's `useSyncExternalStore`). */
export function subscribeOffline(listener: () => void): () => void {
  offlineListeners.add(listener)
  return () => offlineListeners.delete(listener)
}
