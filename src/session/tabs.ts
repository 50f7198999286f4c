import type { ResolvedOptions } from '../core/options.js'
import { otherCredentials } from '../core/tokens.js'
import type { TabMessage } from '../sync/channel.js'
import type { Machine } from './machine.js'

/** What following the other tabs needs besides the machine. */
export interface TabsDeps {
  /** Cookie mode: another tab signed in; ask the server (nothing token-bearing is stored). */
  askServer(): void
  /** Another tab checked token health at `at`. */
  healthChecked(message: Extract<TabMessage, { kind: 'health' }>): void
  /** Another tab's refresh failed transiently: back off with it until `until`. */
  backOff(until: number): void
}

/** How this tab follows the others. See {@link createTabs}. */
export type Tabs = ReturnType<typeof createTabs>

/**
 * How this tab follows the others: their messages, the session they wrote to the slot, and the
 * activity they saw. This is where "another tab refreshed (or signed in, or out)" is handled.
 */
export function createTabs<User>(
  o: Pick<ResolvedOptions<User>, 'clock' | 'credentials' | 'idleWarning' | 'idleTimeout'>,
  m: Machine<User>,
  deps: TabsDeps,
) {
  const cookieMode = o.credentials === 'cookie'
  /** A revision another tab said it wrote that this tab's storage does not show yet. */
  let wantedRev = 0
  let retryDelay = 0
  let cancelRetry: (() => void) | null = null
  let lastShared = -Infinity
  let lastPersisted = -Infinity

  /**
   * Re-reads the slot and adopts a newer session written by another tab (decrypting only here,
   * never per request). `wanted`: the revision another tab said it wrote. Returns whether this
   * tab now holds another session.
   */
  function sync(wanted = 0): boolean {
    if (cookieMode) return false
    wantedRev = Math.max(wantedRev, wanted)
    const stored = m.readSlot()
    const current = m.session
    // A newer revision, or (told by its writer) the very revision another tab wrote last. The same
    // revision with other tokens means two tabs wrote at once: the slot holds the last write.
    const adopt =
      stored &&
      (stored.rev > (current?.rev ?? m.knownRev) ||
        (current !== null &&
          otherCredentials(stored, current) &&
          (stored.rev === current.rev || stored.rev === wantedRev)))
    if (stored && adopt) m.dispatch({ type: 'adopted', session: stored })
    else if (stored && current && stored.rev === current.rev)
      m.dispatch({ type: 'active', at: stored.lastActivity })
    awaitWanted()
    return !!adopt
  }

  /**
   * Browsers propagate localStorage between tabs asynchronously: until the slot shows the
   * revision another tab announced, look again on the slot's `storage` event and on a short timer.
   */
  function awaitWanted(): void {
    cancelRetry?.()
    cancelRetry = null
    if (wantedRev <= (m.session?.rev ?? m.knownRev)) wantedRev = retryDelay = 0
    else {
      retryDelay = Math.min(1_000, retryDelay ? retryDelay * 2 : 25)
      cancelRetry = o.clock.schedule(() => sync(), retryDelay)
    }
  }

  /**
   * Activity seen here (`local`) or in another tab. Sharing with the tabs and persisting are
   * throttled; a write the slot refuses (a newer session is there) adopts what it holds.
   */
  function active(at: number, local: boolean): void {
    const warned = m.state.warningAt !== null
    m.dispatch({ type: 'active', at })
    const s = m.session
    if (!local || !s || s.lastActivity !== at) return
    const { idleWarning, idleTimeout } = o
    if (warned || at - lastShared >= Math.min(5_000, idleWarning / 4)) {
      lastShared = at
      m.post({ kind: 'activity', at })
    }
    if (at - lastPersisted >= Math.min(60_000, idleTimeout === false ? 60_000 : idleTimeout / 10)) {
      lastPersisted = at
      if (!m.persist(s, false)) sync()
    }
  }

  function receive(message: TabMessage): void {
    switch (message.kind) {
      case 'session':
        if (!cookieMode) sync(message.rev)
        else if ((m.session?.rev ?? m.knownRev) < message.rev) deps.askServer()
        break
      case 'end':
        m.noteEnded(message.rev)
        // The end of an older session than this tab's (a sign-out, then a new sign-in) is old news;
        // the tab that ended it cleared the slot, so a following tab never touches it.
        if (m.session && m.session.rev <= message.rev)
          m.dispatch({ type: 'ended', reason: message.reason, by: 'other-tab' })
        break
      case 'activity':
        active(message.at, false)
        break
      case 'health':
        deps.healthChecked(message)
        break
      case 'backoff':
        deps.backOff(message.until)
    }
  }

  return {
    sync,
    active,

    /** Opens the channel and listens for the slot's `storage` event; returns the teardown. */
    open(window: EventTarget | null, slotKey: string): () => void {
      const close = m.shared.open(receive)
      const onStorage = (e: Event) => {
        if ((e as StorageEvent).key === slotKey && wantedRev) sync()
      }
      window?.addEventListener('storage', onStorage)
      return () => {
        close()
        window?.removeEventListener('storage', onStorage)
        cancelRetry?.()
      }
    },
  }
}
