// The session's parts, each built alone from the small interface it declares: no keeper, no
// mock server. What a user would notice of each: one refresh however many ask, the right end
// reason, no wrong logout, deadlines kept, health judged compatible-first.
import { describe, expect, it, vi } from 'vitest'
import { defaultMapAuthResponse, type Session } from '../../src/core/tokens.js'
import { session, type U } from './fixture.js'
import { resolveEnvironment } from '../../src/core/environment.js'
import { resolveOptions } from '../../src/core/options.js'
import type { SessionEvent, StorageLike } from '../../src/core/types.js'
import { MemoryStorage } from '../../src/storage/store.js'
import { noLock } from '../../src/sync/lock.js'
import { defaultKind, type AuthCalls } from '../../src/session/calls.js'
import { createGate } from '../../src/session/gate.js'
import { createHealthPoller } from '../../src/session/health.js'
import { createMachine } from '../../src/session/machine.js'
import { createRefresher } from '../../src/session/refresher.js'
import { createSignOut } from '../../src/session/signout.js'
import type { Action } from '../../src/session/transition.js'

/** A clock the test moves by hand. */
function manualClock(now = 50_000) {
  const timers: Array<{ at: number; fn: () => void }> = []
  return {
    now: () => now,
    schedule(fn: () => void, ms: number) {
      const t = { at: now + ms, fn }
      timers.push(t)
      return () => void timers.splice(timers.indexOf(t), 1)
    },
    async advance(ms: number) {
      for (let i = 0; i < 10; i++) await Promise.resolve()
      now += ms
      for (const t of timers.filter((t) => t.at <= now)) {
        timers.splice(timers.indexOf(t), 1)
        t.fn()
      }
      for (let i = 0; i < 5; i++) await Promise.resolve()
    },
  }
}

/** A machine stand-in that records what it is told. */
function fakeMachine(s: Session<U> | null = session()) {
  const actions: Action<U>[] = []
  const events: SessionEvent<U>[] = []
  const posted: unknown[] = []
  return {
    actions,
    events,
    posted,
    session: s,
    dispatch(a: Action<U>) {
      actions.push(a)
      if (a.type === 'committed') this.session = a.session
      if (a.type === 'ended') this.session = null
    },
    emitter: { emit: (e: SessionEvent<U>) => void events.push(e) },
    post: (m: unknown) => void posted.push(m),
  }
}

const httpError = (status?: number) =>
  Object.assign(new Error('failed'), status ? { response: { status } } : {})

function fakeCalls(send: (request: unknown) => Promise<unknown>): AuthCalls {
  return {
    url: () => '',
    send: vi.fn(send) as AuthCalls['send'],
    kind: (_call, error) =>
      defaultKind((error as { response?: { status: number } }).response?.status),
    readTokens: (body) => defaultMapAuthResponse(body) as never,
  }
}

function refresher(send: (request: unknown) => Promise<unknown>, keyChanged = false) {
  const clock = manualClock()
  const machine = fakeMachine()
  const calls = fakeCalls(send)
  const reschedule = vi.fn()
  const r = createRefresher<U>({
    clock,
    random: () => 0.5,
    cookieMode: false,
    refreshMargin: 60_000,
    machine: machine as never,
    sync: () => false,
    lock: () => noLock,
    calls,
    backend: { refresh: (rt) => ({ url: '/refresh', body: { refresh_token: rt } }) },
    keyChanged: async () => keyChanged,
    reschedule,
  })
  return { r, clock, machine, calls, reschedule }
}

describe('refresher, alone', () => {
  it('makes one call however many ask, and commits the rotated tokens as a refresh', async () => {
    const { r, machine, calls } = refresher(async () => ({
      access_token: 'a2',
      refresh_token: 'r2',
      expires_in: 60,
    }))
    const [one, two] = await Promise.all([r.refresh(), r.refresh()])
    expect(one).toBe(two)
    expect(calls.send).toHaveBeenCalledTimes(1)
    expect(calls.send).toHaveBeenCalledWith({ url: '/refresh', body: { refresh_token: 'r1' } })
    expect(machine.actions).toEqual([
      expect.objectContaining({ type: 'committed', cause: 'refresh' }),
    ])
    expect(machine.session).toMatchObject({
      accessToken: 'a2',
      refreshToken: 'r2',
      expiresAt: 110_000,
    })
  })

  it('a transient failure keeps the session, backs off (shared with the tabs) and says when it retries', async () => {
    const { r, clock, machine, reschedule } = refresher(async () => {
      throw httpError(503)
    })
    await expect(r.refresh()).rejects.toMatchObject({ code: 'refresh_unavailable', status: 503 })
    expect(machine.actions).toEqual([])
    expect(machine.events).toEqual([
      { type: 'refreshFailed', error: expect.anything(), retryInMs: 750 },
    ])
    expect(machine.posted).toEqual([{ kind: 'backoff', until: clock.now() + 750 }])
    expect(reschedule).toHaveBeenCalled()
    expect(r.backingOff(clock.now())).toBe(true)
    expect(r.dueAt(machine.session!)).toBe(clock.now() + 750)
  })

  it('a refusal ends the session once, after looking for another tab’s result', async () => {
    const { r, clock, machine } = refresher(async () => {
      throw httpError(401)
    })
    const done = r.refresh().catch((e) => e)
    await clock.advance(250) // the moment it gives another tab's write to arrive
    expect(await done).toMatchObject({ code: 'session_expired' })
    expect(machine.actions).toEqual([{ type: 'ended', reason: 'refresh-rejected', by: 'here' }])
  })

  it('a refusal under a changed signing key ends it as incompatible', async () => {
    const { r, clock, machine } = refresher(async () => {
      throw httpError(401)
    }, true)
    const done = r.refresh().catch(() => {})
    await clock.advance(250)
    await done
    expect(machine.actions).toEqual([{ type: 'ended', reason: 'incompatible', by: 'here' }])
  })
})

describe('gate, alone', () => {
  function gate(
    s: Session<U> | null,
    refresherState: Partial<{ inFlight: boolean; near: boolean; backingOff: boolean }> = {},
  ) {
    const clock = manualClock(50_000)
    const machine = fakeMachine(s)
    const notifyServerLogout = vi.fn()
    const refresh = vi.fn(async () => session({ accessToken: 'a2' }))
    const g = createGate<U>({
      clock,
      cookieMode: false,
      booted: () => Promise.resolve(),
      timeouts: { idleTimeout: 30_000, idleWarning: 5_000, absoluteTimeout: 3_600_000 },
      machine: machine as never,
      refresher: {
        inFlight: refresherState.inFlight ?? false,
        nearExpiry: () => refresherState.near ?? false,
        backingOff: () => refresherState.backingOff ?? false,
        refresh,
        dueAt: (x) => x.expiresAt! - 60_000,
      },
      notifyServerLogout,
    })
    return { g, machine, notifyServerLogout, refresh }
  }

  it('gives the session as it is while its token is fresh', async () => {
    const { g, refresh } = gate(session({ lastActivity: 40_000 }))
    expect(await g.authorize()).toMatchObject({ accessToken: 'a1' })
    expect(refresh).not.toHaveBeenCalled()
  })

  it('holds a request near expiry for the refresh, and sends it with the new token', async () => {
    const { g } = gate(session({ lastActivity: 40_000 }), { near: true })
    expect(await g.authorize()).toMatchObject({ accessToken: 'a2' })
  })

  it('ends an idle session before any request goes out, and tells the server', async () => {
    const idle = session({ lastActivity: 10_000 }) // 40 s ago, idleTimeout 30 s
    const { g, machine, notifyServerLogout } = gate(idle)
    await expect(g.authorize()).rejects.toMatchObject({ code: 'session_expired' })
    expect(machine.actions).toEqual([{ type: 'ended', reason: 'idle', by: 'here' }])
    expect(notifyServerLogout).toHaveBeenCalledWith(idle)
  })

  it('a destroyed keeper (its request went on after the page closed) tells the server nothing', async () => {
    const { g, machine, notifyServerLogout } = gate(session({ lastActivity: 10_000 }))
    machine.dispatch = () => {} // a destroyed machine changes nothing
    await expect(g.authorize()).rejects.toMatchObject({ code: 'session_expired' })
    expect(notifyServerLogout).not.toHaveBeenCalled()
  })

  it('an expired token with nothing to refresh it ends as expired, with no server call', () => {
    const { g, machine, notifyServerLogout } = gate(
      session({ refreshToken: null, expiresAt: 49_000, lastActivity: 45_000 }),
    )
    expect(g.enforceDeadlines(50_000)).toBe(false)
    expect(machine.actions).toEqual([{ type: 'ended', reason: 'expired', by: 'here' }])
    expect(notifyServerLogout).not.toHaveBeenCalled()
  })

  it('while backing off, uses the token while it lasts, then says refresh_unavailable', async () => {
    const valid = gate(session({ lastActivity: 45_000 }), { near: true, backingOff: true })
    expect(await valid.g.authorize()).toMatchObject({ accessToken: 'a1' })
    const expired = gate(session({ expiresAt: 49_000, lastActivity: 45_000 }), {
      near: true,
      backingOff: true,
    })
    await expect(expired.g.authorize()).rejects.toMatchObject({ code: 'refresh_unavailable' })
  })

  it('reports the deadlines for countdowns', () => {
    const { g } = gate(session({ lastActivity: 40_000, startedAt: 1_000 }))
    expect(g.deadlines()).toEqual({
      refreshAt: 40_000,
      idleWarningAt: 65_000,
      idleLogoutAt: 70_000,
      absoluteLogoutAt: 3_601_000,
    })
  })
})

describe('health poller, alone', () => {
  function poller(answer: () => Promise<unknown>, interval: number | false = 300_000) {
    const clock = manualClock(0)
    const machine = fakeMachine()
    const refreshOrRevoke = vi.fn(async () => {})
    const calls = fakeCalls(answer)
    const h = createHealthPoller<U>({
      clock,
      random: () => 0,
      interval,
      isVisible: () => true,
      machine: machine as never,
      calls,
      backend: { health: (token) => ({ url: '/health', method: 'GET', bearer: token }) },
      refreshOrRevoke,
    })
    return { h, clock, machine, refreshOrRevoke, calls }
  }
  const body = (compatible: boolean, authenticated: boolean) => async () => ({
    compatible,
    authenticated,
    token_version: 1,
    server_version: 2,
    secret: 'never forwarded',
  })

  it('ends the session as incompatible, judging compatible first', async () => {
    const { h, machine, refreshOrRevoke } = poller(body(false, false))
    await h.check()
    expect(machine.actions).toEqual([{ type: 'ended', reason: 'incompatible', by: 'here' }])
    expect(refreshOrRevoke).not.toHaveBeenCalled()
    expect(machine.events).toEqual([
      {
        type: 'healthChecked',
        health: { compatible: false, authenticated: false, token_version: 1, server_version: 2 },
      },
    ])
  })

  it('an unauthenticated token gets one refresh, which ends the session as revoked if refused', async () => {
    const { h, refreshOrRevoke, machine } = poller(body(true, false))
    await h.check()
    expect(refreshOrRevoke).toHaveBeenCalledTimes(1)
    expect(machine.actions).toEqual([])
  })

  it('a network failure never ends the session', async () => {
    const { h, machine } = poller(async () => {
      throw httpError()
    })
    await expect(h.check()).rejects.toMatchObject({ code: 'unavailable' })
    expect(machine.actions).toEqual([])
  })

  it('polls when due, once per period; with polling off, asks nothing', async () => {
    const { h, calls } = poller(body(true, true))
    h.restart()
    h.poll(299_999)
    expect(calls.send).not.toHaveBeenCalled()
    h.poll(300_000)
    expect(calls.send).toHaveBeenCalledTimes(1)
    const off = poller(body(false, false), false)
    expect(off.h.dueAt()).toBe(null)
    expect(await off.h.keyChanged('a1')).toBe(false)
    expect(off.calls.send).not.toHaveBeenCalled()
  })
})

describe('sign-out, alone (cookie mode)', () => {
  function signOut(slot: Session<U> | null) {
    let mark = false
    const order: string[] = []
    const calls = fakeCalls(async () => void order.push('sent'))
    const so = createSignOut<U>({
      clock: manualClock(),
      random: () => 0.5,
      cookieMode: true,
      machine: {
        readSlot: () => slot,
        emitter: { emit: () => {} },
        shared: {
          logoutPending: (set?: boolean) => (set === undefined ? mark : (mark = set)),
          exclusive: async (fn: () => Promise<unknown>) => {
            order.push('locked')
            return fn()
          },
        },
      } as never,
      calls,
      backend: { logout: () => ({ url: '/logout' }) },
    })
    return { so, order, calls, mark: () => mark }
  }

  it('is sent under the lock, and the mark is gone once the server heard it', async () => {
    const { so, order, mark } = signOut(null)
    expect(await so.notify(session())).toBe(true)
    expect(order).toEqual(['locked', 'sent'])
    expect(mark()).toBe(false)
  })

  it("is not sent once a later sign-in is in the slot: the cookie is that sign-in's now", async () => {
    const { so, calls, mark } = signOut(session({ startedAt: 9, sid: 9.5 }))
    expect(await so.notify(session())).toBe(true)
    expect(calls.send).not.toHaveBeenCalled()
    expect(mark()).toBe(false)
  })
})

describe('machine, alone', () => {
  function machine(storage: StorageLike | 'memory' = 'memory') {
    const o = resolveOptions<U>({ storage, crossTab: false, secret: 'a-test-secret-0123456789' })
    const m = createMachine<U>(o, resolveEnvironment({ window: null, document: null }))
    const events: string[] = []
    m.emitter.on('loggedIn', () => void events.push('loggedIn'))
    m.emitter.on('loggedOut', (e) => void events.push(`loggedOut:${e.reason}`))
    m.emitter.on('synced', (e) => void events.push(`synced:${e.from}`))
    m.emitter.on('refreshed', () => void events.push('refreshed'))
    return { m, events }
  }

  it('a new session is written with a revision above whatever the slot holds', () => {
    const { m } = machine()
    m.shared.store().write(session({ rev: 500 }))
    m.dispatch({ type: 'committed', session: session({ rev: 3 }), cause: 'sign-in' })
    expect(m.session?.rev).toBe(501)
    expect(m.readSlot()?.rev).toBe(501)
  })

  it('an update is written only over the same session, never over a newer one', () => {
    const { m } = machine()
    m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    const mine = m.session!
    m.shared.store().write(session({ rev: mine.rev + 1, accessToken: 'newer' }))
    expect(m.persist({ ...mine, lastActivity: 99 }, false)).toBe(null)
    expect(m.readSlot()?.accessToken).toBe('newer')
  })

  it('ending here clears the slot, unless it holds a newer session', () => {
    const { m } = machine()
    m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    m.dispatch({ type: 'ended', reason: 'logout', by: 'here' })
    expect(m.readSlot()).toBe(null)
    const other = machine()
    other.m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    other.m.shared.store().write(session({ rev: 10_000, user: { name: 'grace' } }))
    other.m.dispatch({ type: 'ended', reason: 'idle', by: 'here' })
    expect(other.m.readSlot()?.user).toEqual({ name: 'grace' })
  })

  it('records an end beside the slot: a late write of the ended sign-in is not restored by the next page', () => {
    const storage = new MemoryStorage()
    const tab = machine(storage)
    tab.m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    const mine = tab.m.session!
    tab.m.dispatch({ type: 'ended', reason: 'logout', by: 'here' })
    // another tab's user update of that sign-in, written before it heard of the end, lands late
    tab.m.shared.store().write({ ...mine, rev: mine.rev + 1, user: { name: 'ada (updated)' } })
    const next = machine(storage)
    expect(next.m.readSlot()).toBe(null)
    expect(next.m.readSlot(true)?.user).toEqual({ name: 'ada (updated)' })
    // nor does a tab that still holds it write it back
    expect(next.m.persist({ ...mine, rev: mine.rev + 2 }, true)).toBe(false)
  })

  it('a sign-in another tab replaced (its successor not in storage yet) is not ended by an older end', () => {
    const storage = new MemoryStorage()
    const old = machine(storage)
    old.m.dispatch({ type: 'committed', session: session({ startedAt: 1 }), cause: 'sign-in' })
    old.m.dispatch({ type: 'ended', reason: 'logout', by: 'here' })
    const tab = machine(storage)
    tab.m.dispatch({ type: 'committed', session: session({ startedAt: 2 }), cause: 'sign-in' })
    tab.m.noteReplaced(tab.m.session!.sid!)
    tab.m.readSlot()
    expect(tab.m.state.status).toBe('authenticated')
  })

  it('an end ends every sign-in begun before it; one begun in the same millisecond stands', () => {
    const { m } = machine()
    m.noteEnded(5, { sid: 2_000.5, since: 2_000 })
    expect(m.hasEnded(session({ startedAt: 1_999, sid: 1_999.9 }))).toBe(true)
    expect(m.hasEnded(session({ startedAt: 2_000, sid: 2_000.1 }))).toBe(false)
    expect(m.hasEnded(session({ startedAt: 2_000, sid: 2_000.5 }))).toBe(true)
  })

  it('tampering found by one tab ends, in every tab and page, every sign-in begun until then', () => {
    const storage = new MemoryStorage()
    const first = machine(storage)
    first.m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    const mine = first.m.session!
    const blob = storage.getItem('session-keeper')!
    storage.setItem(
      'session-keeper',
      blob.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
    )
    expect(machine(storage).m.readSlot()).toBe(undefined) // found: cleared, and recorded
    // the first tab has not heard of it yet: writing its session back, it learns it and ends
    first.m.dispatch({ type: 'committed', session: mine, cause: 'update' })
    expect(first.m.state).toMatchObject({ status: 'unauthenticated', reason: 'tampered' })
    expect(storage.getItem('session-keeper')).toBe(null)
    // a sign-out elsewhere records its end beside the tamper end, not over it: a write of the old
    // sign-in that lands late is still not restored
    const other = machine(storage)
    other.m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    other.m.dispatch({ type: 'ended', reason: 'logout', by: 'here' })
    storage.setItem('session-keeper', blob)
    expect(machine(storage).m.readSlot()).toBe(null)
  })

  it('a tab whose view of storage still shows a bad blob another tab dealt with clears nothing and ends no newer sign-in', () => {
    const storage = new MemoryStorage()
    const a = machine(storage)
    a.m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    const bad = storage.getItem('session-keeper')!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))
    storage.setItem('session-keeper', bad)
    expect(a.m.readSlot()).toBe(undefined) // found here first: cleared, recorded
    a.m.dispatch({ type: 'committed', session: session({ startedAt: 5 }), cause: 'sign-in' })
    const signedIn = storage.getItem('session-keeper')
    // tab B's view of the slot is late: it still shows the bad blob
    const late: StorageLike = {
      getItem: (k) => (k === 'session-keeper' ? bad : storage.getItem(k)),
      setItem: (k, v) => storage.setItem(k, v),
      removeItem: (k) => storage.removeItem(k),
    }
    const b = machine(late)
    expect(b.m.readSlot()).toBe(undefined)
    expect(storage.getItem('session-keeper')).toBe(signedIn)
    expect(b.m.hasEnded(a.m.session!)).toBe(false)
    expect(b.events).toEqual([])
  })

  it('says what happened: one event per transition, none for what changed nothing', () => {
    const { m, events } = machine()
    m.dispatch({ type: 'committed', session: session(), cause: 'sign-in' })
    m.dispatch({
      type: 'committed',
      session: session({ accessToken: 'a2', rev: 2 }),
      cause: 'refresh',
    })
    m.dispatch({ type: 'adopted', session: session({ accessToken: 'a3', rev: 9_999_999 }) })
    m.dispatch({ type: 'ended', reason: 'logout', by: 'here' })
    m.dispatch({ type: 'ended', reason: 'idle', by: 'here' })
    expect(events).toEqual(['loggedIn', 'refreshed', 'synced:other-tab', 'loggedOut:logout'])
  })
})
