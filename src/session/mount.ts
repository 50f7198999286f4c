import { trackActivity } from '../activity/tracker.js'
import type { Clock } from '../core/clock.js'
import type { Environment } from '../core/environment.js'
import type { ResolvedOptions } from '../core/options.js'
import type { Boot } from './boot.js'
import type { Flows } from './flows.js'
import type { createLoop } from './loop.js'
import type { Machine } from './machine.js'
import type { Refresher } from './refresher.js'
import type { Tabs } from './tabs.js'
import type { Wakeups } from './wake.js'

/** What mounting uses. */
export interface MountDeps<User> {
  clock: Clock
  env: () => Environment
  cookieMode: boolean
  options: Pick<
    ResolvedOptions<User>,
    'crossTab' | 'storageKey' | 'idleTimeout' | 'idleWarning' | 'verifyOnRestore'
  >
  machine: Pick<Machine<User>, 'state' | 'readSlot' | 'dispatch' | 'emitter'>
  tabs: Pick<Tabs, 'open' | 'sync' | 'flush'>
  boot: Pick<Boot, 'start' | 'retry' | 'pause'>
  refresher: Pick<Refresher<User>, 'retryNow'>
  loop: Pick<ReturnType<typeof createLoop<User>>, 'start' | 'stop' | 'evaluate'>
  wakeups: Wakeups
  flows: Pick<Flows<User, object>, 'verifyRestored'>
  /** Installs the request gate and the 401 retry; returns their removal. */
  intercept(): () => void
  /** The DOM tracker saw the user. */
  active(): void
}

/**
 * The keeper's life while mounted (DESIGN.md example 3): `start()` is reference-counted, so
 * StrictMode's double mount costs nothing, and the interceptors, cross-tab listeners, wake-ups,
 * activity tracker and deadline loop exist only while the count is above zero. The first mount
 * restores the session (from storage, or from the server in cookie mode).
 */
export function createMount<User>(d: MountDeps<User>) {
  const { options: o, machine } = d
  /** Mounted while above zero. */
  let refs = 0
  let destroyed = false
  const teardown: Array<() => void> = []

  function mount(): void {
    const e = d.env()
    teardown.push(
      d.intercept(),
      d.tabs.open(o.crossTab ? e.window : null, o.storageKey),
      d.wakeups.subscribe(({ hidden }) => {
        // Coming back online or into view: a refresh, or a start-up check, that was backing off
        // is retried at once.
        if (!hidden) {
          d.refresher.retryNow()
          d.boot.retry()
        } else d.tabs.flush() // a page hides before it closes
        d.loop.evaluate()
      }),
    )
    if (o.idleTimeout !== false) {
      const throttle = Math.min(1_000, o.idleWarning / 10)
      teardown.push(trackActivity(e, () => d.clock.now(), throttle, d.active))
    }
    if (machine.state.status === 'loading') restore()
    else if (d.cookieMode) d.boot.retry()
    else d.tabs.sync()
    d.loop.start()
  }

  /** The first start: the stored session (token mode) or the server's word (cookie mode). */
  function restore(): void {
    if (d.cookieMode) return void d.boot.start()
    const stored = machine.readSlot()
    if (stored) {
      machine.dispatch({ type: 'restored', session: stored })
      if (o.verifyOnRestore) void d.flows.verifyRestored()
    } else if (machine.state.status === 'loading') {
      if (stored === undefined)
        machine.emitter.emit({ type: 'storageError', reason: 'unavailable' })
      machine.dispatch({ type: 'settled', reason: null })
    }
  }

  function unmount(): void {
    d.boot.pause()
    d.loop.stop()
    for (const undo of teardown.splice(0).reverse()) undo()
  }

  return {
    get mounted() {
      return refs > 0
    },
    start(): () => void {
      if (destroyed) return () => {}
      if (++refs === 1) mount()
      let stopped = false
      return () => {
        if (stopped) return
        stopped = true
        if (--refs === 0) unmount()
      }
    },
    destroy(): void {
      destroyed = true
      if (refs) {
        refs = 0
        unmount()
      }
    },
  }
}
