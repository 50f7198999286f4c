import { listen } from '../core/environment.js'
import type { ResolvedOptions } from '../core/options.js'
import { laterCopy, laterSignIn, olderCopy, otherCredentials } from '../core/tokens.js'
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
  /** Cookie mode: the newest timeline this tab has asked the server about. */
  let asked = 0
  /** Mounted: retries are scheduled only then (no timer outlives the last `stop`). */
  let listening = false

  /**
   * Re-reads the slot and adopts a newer session written by another tab (decrypting only here,
   * never per request). `wanted`: the revision another tab said it wrote. Returns whether this
   * tab now holds another session.
   */
  function sync(wanted = 0): boolean {
    wantedRev = Math.max(wantedRev, wanted)
    const stored = m.readSlot(true)
    const current = m.session
    if (!stored) {
      // Emptied under ours (a tab ended another sign-in on a view not showing ours): put it back.
      if (stored === null && current) keepOursSoon()
      return (awaitWanted(), false)
    }
    const later = current && laterSignIn(stored, current)
    const over = m.hasEnded(stored)
    if (cookieMode) {
      // The slot holds the timeline of another tab's sign-in: its cookie is the browser's now, so
      // ask the server, once per revision, and join that timeline (never start one of our own).
      if (!over && (current === null || later! > 0) && stored.rev > asked)
        ((asked = stored.rev), deps.askServer())
      return (awaitWanted(stored.rev), false)
    }
    // A later sign-in wins over any revision of an earlier one, even one written after it by a tab
    // whose view lagged. Within one sign-in, tokens received later win (never a lagging tab's copy
    // of older ones: its refresh token may be spent); then the newer revision; the same revision
    // written twice, or (told by its writer) the one another tab wrote last: follow the slot.
    const older = current !== null && olderCopy(stored, current)
    const adopt =
      !over &&
      (current === null ||
        later! > 0 ||
        (later === 0 &&
          !older &&
          (stored.rev > current.rev ||
            (otherCredentials(stored, current) &&
              (laterCopy(stored, current) > 0 ||
                stored.rev === current.rev ||
                stored.rev === wantedRev)))))
    if (adopt) m.dispatch({ type: 'adopted', session: stored })
    else if (current && (over || later! < 0 || older))
      // An older sign-in, one that has ended, or older tokens of ours landed over ours: write ours
      // back (every tab and the next page converge on it) once this tab's view has caught up:
      // browsers show other tabs' writes in order, late, and the next may be a refresh of ours.
      keepOursSoon()
    else if (current && stored.rev === current.rev)
      m.dispatch({ type: 'active', at: stored.lastActivity })
    awaitWanted(stored.rev)
    return adopt
  }

  /**
   * Browsers propagate localStorage between tabs asynchronously: until the slot shows the
   * revision another tab announced (`seen`: the one it showed; an announced write that arrived is
   * seen, adopted or not), look again on the slot's `storage` event and on a short timer.
   */
  function awaitWanted(seen = 0): void {
    cancelRetry?.()
    cancelRetry = null
    if (wantedRev <= Math.max(seen, m.session?.rev ?? m.knownRev)) wantedRev = retryDelay = 0
    else if (listening) {
      retryDelay = Math.min(1_000, retryDelay ? retryDelay * 2 : 25)
      cancelRetry = o.clock.schedule(() => sync(), retryDelay)
    }
  }

  /**
   * Activity seen here (`local`) or in another tab. Sharing with the tabs and persisting (in the
   * activity record, never the token slot) are throttled.
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
      m.shared.activity.write(at)
    }
  }

  /**
   * Writes this tab's session back if the slot lost it to another sign-in's end; never while this
   * tab knows of a newer revision it has neither seen nor seen end (its copy may hold a spent
   * refresh token).
   */
  function keepOurs(): void {
    const s = m.session
    const behind = s !== null && (wantedRev > Math.max(s.rev, m.knownRev) || m.hasEnded(s))
    const stored = s && !cookieMode && !behind ? m.readSlot() : undefined
    if (s && (stored === null || (stored && (laterSignIn(stored, s) < 0 || olderCopy(stored, s)))))
      m.dispatch({ type: 'committed', cause: 'update', session: s })
  }

  let cancelKeep: (() => void) | null = null
  /** {@link keepOurs} once writes still on their way to this tab have arrived (one timer at most). */
  function keepOursSoon(): void {
    cancelKeep ??= o.clock.schedule(flush, 250)
  }
  /** Runs a pending {@link keepOursSoon} now (the page hides or closes: no later comes). */
  function flush(): void {
    if (cancelKeep) (cancelKeep(), (cancelKeep = null), keepOurs())
  }

  function receive(message: TabMessage): void {
    switch (message.kind) {
      case 'session':
        if (message.replaced !== undefined) m.noteReplaced(message.replaced)
        sync(message.rev)
        break
      case 'end': {
        // An end ends its sign-in and every one begun before it; a tamper end (sid 0), every one
        // numbered until it was found. An end of an earlier sign-in than this tab's (a sign-out,
        // then a new sign-in) is old news, unless ours was replaced by another tab's.
        const { rev, sid, at } = message
        m.noteEnded(rev, sid ? { sid, since: at } : { floor: rev + 1 })
        const s = m.session
        if (s && m.hasEnded(s))
          m.dispatch({ type: 'ended', reason: message.reason, by: 'other-tab' })
        else if (s) {
          // The tab that ended the other sign-in may have cleared the slot on a view that did not
          // show ours yet: look now if ours began after it (that clear can only have taken ours),
          // and once the clear has surely arrived. Not now for one begun in its millisecond: this
          // tab's view may not show yet a sign-in made after the end, which ours must not replace.
          if (!at || s.startedAt > at) keepOurs()
          keepOursSoon()
        }
        break
      }
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
    flush,

    /**
     * Opens the channel and listens for the slot's `storage` event (other tabs' writes, visible
     * here late in some browsers); returns the teardown.
     */
    open(window: EventTarget | null, slotKey: string): () => void {
      const close = m.shared.open(receive)
      // Another tab's write to the slot is visible here now: look (one decrypt per such change).
      const unlisten = listen([[window, 'storage']], (e) => {
        if ((e as StorageEvent).key === slotKey) sync()
      })
      listening = true
      return () => {
        listening = false
        close()
        unlisten()
        cancelRetry?.()
      }
    },
  }
}
