import axios from 'axios'
import { contract } from './backends/contract.js'
import { SessionError } from './core/errors.js'
import { resolveEnvironment } from './core/environment.js'
import type { SessionKeeper } from './core/instance.js'
import { resolveOptions, type SessionKeeperOptions } from './core/options.js'
import { installInterceptors } from './http/interceptors.js'
import { createScope } from './http/scope.js'
import { createBoot, type Boot } from './session/boot.js'
import { createAuthCalls } from './session/calls.js'
import { createFlows, type Flows } from './session/flows.js'
import { createGate } from './session/gate.js'
import { createHealthPoller, type HealthPoller } from './session/health.js'
import { createLoop } from './session/loop.js'
import { createMachine } from './session/machine.js'
import { createMount } from './session/mount.js'
import { createRefresher, type Refresher } from './session/refresher.js'
import { createTabs } from './session/tabs.js'
import { createWakeups } from './session/wake.js'

/**
 * Creates a session keeper. Touches no browser global until `start()` (or the first sign-in).
 * The composition root: it only wires the parts together (see DESIGN.md, "The house").
 * @throws SessionError code `config` for unusable options.
 */
export function createSessionKeeper<User = unknown, Credentials extends object = object>(
  options: SessionKeeperOptions<User, Credentials> = {},
): SessionKeeper<User, Credentials> {
  const o = resolveOptions(options)
  const { clock } = o
  if (options.backend && (options.endpoints || options.mapAuthResponse))
    throw new SessionError(
      'config',
      'session-keeper: endpoints and mapAuthResponse configure the default backend; pass them to contract() instead.',
    )
  const backend =
    options.backend ??
    contract<User, Credentials>({ endpoints: o.endpoints, mapAuthResponse: o.mapAuthResponse })
  const http = options.http ?? axios.create({ baseURL: o.baseURL })
  const cookieMode = o.credentials === 'cookie'
  const inScope = (url: string) => destination(url) !== 'outside'
  const env = resolveEnvironment(o.environment)
  const random = () => env().random()
  const isVisible = () => env().document?.visibilityState !== 'hidden'
  const calls = createAuthCalls(http, backend, o.baseURL, o.refreshTimeout, inScope)

  // The one subscription to the session: a new session restarts the health period and drops
  // backoff; any change may move a deadline.
  const machine = createMachine<User>(o, env, (prev, action) => {
    const fresh =
      action.type === 'restored' ||
      action.type === 'adopted' ||
      (action.type === 'committed' && action.cause !== 'refresh' && action.cause !== 'update')
    if (fresh || action.type === 'ended') refresher.reset()
    // the first poll is one interval after a sign-in or restore, not at once
    if (fresh && (!prev.session || action.type === 'committed')) health.restart()
    loop.evaluate()
  })
  const tabs = createTabs(o, machine, {
    askServer: () => mounting.mounted && void boot.start('boot-other-tab'),
    healthChecked: ({ at, health: h }) => health.adopt(at, h),
    backOff: (until) => (refresher.deferUntil(until), loop.evaluate()),
  })
  const refresher: Refresher<User> = createRefresher<User>({
    ...{ clock, random, cookieMode, refreshMargin: o.refreshMargin, calls, backend, machine },
    sync: tabs.sync,
    lock: machine.shared.lock,
    keyChanged: (token): Promise<boolean> => health.keyChanged(token),
    reschedule: () => loop.evaluate(),
  })
  const health: HealthPoller = createHealthPoller<User>({
    ...{ clock, random, isVisible, calls, backend, machine },
    interval: o.healthInterval,
    refreshOrRevoke: (): Promise<unknown> => refresher.refresh('revoked'),
  })
  const flows: Flows<User, Credentials> = createFlows<User, Credentials>({
    ...{ clock, random, cookieMode, machine, calls, backend },
    sync: tabs.sync,
    refresh: () => refresher.refresh(),
    booted: (): Promise<void> => boot.done(),
  })
  const boot: Boot = createBoot<User>({
    ...{ clock, random, machine, calls, backend, flows },
    timeouts: o,
  })
  const gate = createGate<User>({
    ...{ clock, cookieMode, machine, refresher },
    booted: (): Promise<void> => boot.done(),
    timeouts: o,
    notifyServerLogout: flows.notifyServerLogout,
  })
  const loop = createLoop<User>({ clock, machine, gate, refresher, health })
  const wakeups = createWakeups(env)

  // Every URL an adapter builds for its auth calls: the interceptors leave those alone.
  const destination = createScope(
    o.baseURL,
    [
      () => backend.login({} as Credentials),
      () => backend.register?.({}),
      () => backend.refresh(null),
      () => backend.logout?.({ accessToken: null, refreshToken: null }),
    ].flatMap((build) => {
      try {
        const request = build()
        return request ? [calls.url(request)] : []
      } catch {
        return []
      }
    }),
  )

  const mounting = createMount<User>({
    ...{ clock, env, cookieMode, machine, tabs, boot, refresher, loop, wakeups, flows },
    options: o,
    intercept: () =>
      installInterceptors(http, {
        cookieMode,
        destination,
        authorize: gate.authorize,
        getSession: () => machine.session,
        refresh: () => refresher.refresh(),
        resolveAdapter: (adapter, config) =>
          axios.getAdapter(adapter ?? axios.defaults.adapter, config),
      }),
    active: () => touch(true),
  })

  /** Activity: the DOM tracker's (`fromDom`), or the app's `touch()`. */
  function touch(fromDom = false): void {
    if (!machine.session || !gate.enforceDeadlines(clock.now())) return
    // With idleConfirm, only the user's explicit answer ends a warning that is on, or due (a
    // device waking in the warning window: its focus and visibility events come before the timer).
    if (fromDom && o.idleConfirm && (loop.evaluate(), machine.state.warningAt !== null)) return
    tabs.active(clock.now(), true)
  }

  return {
    http,
    timing: Object.freeze({
      refreshMargin: o.refreshMargin,
      idleTimeout: o.idleTimeout,
      idleWarning: o.idleWarning,
      idleConfirm: o.idleConfirm,
      absoluteTimeout: o.absoluteTimeout,
      healthInterval: backend.health ? o.healthInterval : false,
    }),
    getSnapshot: machine.snapshot.get,
    subscribe: machine.snapshot.subscribe,
    on: machine.emitter.on,
    login: (credentials) => flows.signIn('login', credentials),
    register: (details) => flows.signIn('register', details),
    setSession: flows.setSession,
    async logout() {
      // Before the session is known (a /logout route's loader runs before start(); cookie mode's
      // start-up check is in flight), the stored sign-in is the one that ends, and the server,
      // whose cookie may be a session, is told all the same.
      const loading = machine.state.status === 'loading'
      const s = machine.session ?? (loading ? (machine.readSlot() ?? null) : null)
      if (loading) boot.cancel()
      machine.dispatch({ type: 'ended', reason: 'logout', by: 'here', ...(s && { stored: s }) })
      if (s || (loading && cookieMode)) await flows.notifyServerLogout(s)
    },
    async refresh() {
      await refresher.refresh() // resolves to nothing: the session holds tokens
    },
    checkHealth: health.check,
    touch: () => touch(),
    getDeadlines: gate.deadlines,
    start: mounting.start,
    destroy() {
      tabs.flush() // a write-back still pending goes out before the page does
      mounting.destroy()
      flows.dispose()
      machine.dispose()
    },
  }
}
