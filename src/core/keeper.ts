import axios from 'axios'
import { trackActivity } from '../activity/tracker.js'
import { createHealthPoller } from '../health/poller.js'
import { installInterceptors } from '../http/interceptors.js'
import { createScope, fullURL, normalizeURL } from '../http/scope.js'
import { createRefresher, type Refresher } from '../refresh/refresher.js'
import type { Core } from './context.js'
import { resolveEnvironment } from './environment.js'
import { createFlows } from './flows.js'
import { createGate } from './gate.js'
import { createSessionState, type SessionState } from './state.js'
import { resolveOptions, type SessionKeeperOptions } from './options.js'
import type { SessionKeeper } from './instance.js'
import { defaultMapAuthResponse } from './tokens.js'
import type { AuthResult } from './types.js'

/** Longest the keeper sleeps between checks of its deadlines: timers drift, devices sleep. */
const MAX_STEP_MS = 60_000

/**
 * Creates a session keeper. Touches no browser global until `start()` (or the first login).
 * @throws SessionError code `config` for unusable options.
 */
export function createSessionKeeper<User = unknown, Credentials extends object = object>(
  options: SessionKeeperOptions<User, Credentials> = {},
): SessionKeeper<User, Credentials> {
  const o = resolveOptions(options)
  const { clock } = o
  const http = options.http ?? axios.create({ baseURL: o.baseURL })
  const cookieMode = o.credentials === 'cookie'
  const url = (path: string) => fullURL(o.baseURL, path)
  const { endpoints: ep } = o
  const authPaths = new Set(
    [ep.login, ep.register, ep.refresh, ep.logout].map((p) => normalizeURL(url(p))),
  )
  const inScope = createScope(o.baseURL)
  const mapBody = (body: unknown): AuthResult<User> | null => {
    try {
      const r = (o.mapAuthResponse ?? defaultMapAuthResponse<User>)(body)
      return r && typeof r.accessToken === 'string' && r.accessToken !== '' ? r : null
    } catch {
      return null
    }
  }
  const env = resolveEnvironment(o.environment)
  const isVisible = () => env().document?.visibilityState !== 'hidden'

  const state: SessionState<User> = createSessionState<User>(o, env, {
    onChange: () => evaluate(),
    onAdopt: () => health.restart(),
    onHealth: (at, h) => health.adopt(at, h),
    onForeignSession: () => {
      if (mounted) void flows.bootCookieSession('other-tab')
    },
    onBackoff: (until) => {
      refresher.deferUntil(until)
      evaluate()
    },
    onReset: () => refresher.reset(),
  })
  const core: Core<User> = {
    o,
    http,
    state,
    cookieMode,
    url,
    map: mapBody,
    random: () => env().random(),
    evaluate: () => evaluate(),
  }
  const refresher: Refresher<User> = createRefresher(
    (token): Promise<boolean> => health.keyChanged(token),
    core,
  )
  const health = createHealthPoller(core, isVisible, () =>
    state.session ? refresher.refresh('revoked') : Promise.resolve(),
  )
  const flows = createFlows(core, () => refresher.refresh(), health.restart)
  const gate = createGate(core, refresher, flows.signOut)

  // ---- deadlines: one timer for all of them, re-checked against the wall clock on every wake

  let cancelTimer: (() => void) | null = null
  let mounted = false

  function evaluate(): void {
    cancelTimer?.()
    cancelTimer = null
    const now = clock.now()
    if (!gate.checkDeadlines(now)) return
    const d = gate.deadlines()
    if (d.idleWarningAt !== null && now >= d.idleWarningAt)
      state.warn(d.idleWarningAt, d.idleLogoutAt!)
    if (!mounted) return
    if (d.refreshAt !== null && now >= d.refreshAt && !refresher.inFlight)
      refresher.refresh().catch(() => {})
    health.poll(now)
    const next = [now + MAX_STEP_MS, health.dueAt(), ...Object.values(d)].filter(
      (at): at is number => at !== null && at > now,
    )
    cancelTimer = clock.schedule(evaluate, Math.min(...next) - now)
  }

  // ---- mounting (reference-counted, so StrictMode's double mount costs nothing)

  let refs = 0
  let destroyed = false
  const teardown: Array<() => void> = []

  function onWake(event: Event): void {
    if (event.type === 'visibilitychange' && !isVisible()) return evaluate()
    // Coming back online or into view: a refresh, or a start-up check, that was backing off is
    // retried at once.
    refresher.retryNow()
    flows.retryBoot()
    evaluate()
  }

  function mount(): void {
    mounted = true
    const e = env()
    teardown.push(
      installInterceptors(http, {
        cookieMode,
        inScope,
        isAuthEndpoint: (u) => authPaths.has(normalizeURL(u)),
        authorize: gate.authorize,
        getSession: () => state.session,
        refresh: () => refresher.refresh(),
      }),
    )
    teardown.push(state.open())
    for (const [target, type] of [
      [e.window, 'focus'],
      [e.window, 'online'],
      [e.window, 'pageshow'],
      [e.document, 'visibilitychange'],
    ] as const) {
      if (!target) continue
      target.addEventListener(type, onWake)
      teardown.push(() => target.removeEventListener(type, onWake))
    }
    if (o.idleTimeout !== false) {
      const throttle = Math.min(1_000, o.idleWarning / 10)
      teardown.push(
        trackActivity(
          e,
          () => clock.now(),
          throttle,
          () => touch(true),
        ),
      )
    }
    if (state.status === 'loading') {
      if (cookieMode) void flows.bootCookieSession()
      else if (state.restore()) {
        health.restart()
        if (o.verifyOnRestore) void flows.verifyRestored()
      }
    } else if (cookieMode) flows.retryBoot()
    else state.syncFromStore()
    evaluate()
  }

  function unmount(): void {
    mounted = false
    flows.pauseBoot()
    cancelTimer?.()
    cancelTimer = null
    for (const undo of teardown.splice(0).reverse()) undo()
  }

  /** Activity: the DOM tracker's (`fromDom`), or the app's `touch()`. */
  function touch(fromDom = false): void {
    if (!state.session || !gate.checkDeadlines(clock.now())) return
    // With idleConfirm, only the user's explicit answer ends a warning that is on.
    if (
      fromDom &&
      o.idleConfirm &&
      state.snapshot.get().status === 'authenticated' &&
      (state.snapshot.get() as { idleWarningAt: number | null }).idleWarningAt !== null
    )
      return
    state.noteActivity(clock.now(), true)
  }

  return {
    http,
    timing: Object.freeze({
      refreshMargin: o.refreshMargin,
      idleTimeout: o.idleTimeout,
      idleWarning: o.idleWarning,
      idleConfirm: o.idleConfirm,
      absoluteTimeout: o.absoluteTimeout,
      healthInterval: o.healthInterval,
    }),
    getSnapshot: state.snapshot.get,
    subscribe: state.snapshot.subscribe,
    on: (type, handler) => state.emitter.on(type, handler),
    login: (credentials) => flows.signIn(ep.login, credentials),
    register: (details) => flows.signIn(ep.register, details),
    setSession: flows.setSession,
    async logout() {
      const s = state.session
      state.end('logout')
      if (s) await flows.signOut(s)
    },
    async refresh() {
      await refresher.refresh() // resolves to nothing: the session holds tokens
    },
    checkHealth: () => health.check(),
    touch: () => touch(),
    getDeadlines: gate.deadlines,
    start() {
      if (destroyed) return () => {}
      if (++refs === 1) mount()
      let stopped = false
      return () => {
        if (stopped) return
        stopped = true
        if (--refs === 0) unmount()
      }
    },
    destroy() {
      destroyed = true
      refs = 0
      if (mounted) unmount()
      state.dispose()
    },
  }
}
