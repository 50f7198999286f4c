import type { Clock } from '../core/clock.js'
import { sidOf, type Session } from '../core/tokens.js'
import type { EndReason, StorageErrorReason } from '../core/types.js'
import type { Shared } from './shared.js'

/** How long a tab following another tab's end waits for its view of storage to catch up. */
const FOLLOW_CLEAR_MS = 250

/** What the slot needs from its tab. */
export interface SlotDeps<User> {
  shared: Shared<User>
  clock: Clock
  random(): number
  cookieMode: boolean
  /** The slot was found tampered with: the tab's session (or its start) ends so. */
  end(reason: EndReason): void
  report(reason: StorageErrorReason): void
}

/** One tab's access to the session slot. See {@link createSlot}. */
export type Slot<User> = ReturnType<typeof createSlot<User>>

/**
 * The session slot as one tab reads and writes it, and what the tab knows of the browser's
 * timeline: the newest revision, and which sign-ins have ended. Every write is conditional on what
 * the slot holds now.
 */
export function createSlot<User>(d: SlotDeps<User>) {
  const { shared } = d
  const store = () => shared.store()
  /** The newest revision this tab has held or seen end: nothing at or below it is adopted again. */
  let knownRev = 0
  /** Sign-ins this tab has seen end: none of their revisions is adopted again. */
  const over = new Set<number>()
  /**
   * New sign-ins are numbered above this too: a tamper end covers every revision written until it
   * was found, so a sign-in made right after must be numbered above it.
   */
  let numberFloor = 0
  let writeFailure: StorageErrorReason | null = null
  let disposed = false

  /**
   * What the slot holds now: a session (with the last activity any tab recorded), `null` for
   * nothing, `undefined` when it cannot be read.
   */
  function read(): Session<User> | null | undefined {
    if (disposed) return undefined
    const result = store().read()
    if (!result.ok) {
      if (result.reason !== 'unavailable') tampered(result.reason)
      return undefined
    }
    const s = result.session
    const at = s && shared.activity.read()
    return s && typeof at === 'number' && at > s.lastActivity ? { ...s, lastActivity: at } : s
  }

  /**
   * The slot failed its check: cleared, reported, and the session ended in every tab: every session
   * written until now (revisions are time-based), not one signed in after it was found.
   */
  function tampered(why: StorageErrorReason): void {
    store().clear()
    d.report(why)
    numberFloor = Math.max(knownRev, numberFloor, d.clock.now())
    shared.post({ kind: 'end', reason: 'tampered', rev: numberFloor, sid: 0 })
    d.end('tampered')
  }

  /**
   * Writes `s` if the slot still holds what it was based on: a new session (`replace`) gets a
   * revision above whatever the slot holds, so revisions order writes across tabs; an update of the
   * same session is written only over that same revision, never over a newer session or into a
   * slot another tab cleared. In cookie mode only the timeline is written (no token, no user).
   */
  function persist(s: Session<User>, replace: boolean, base?: number): Session<User> | null {
    if (disposed) return null
    const stored = read()
    if (base !== undefined && stored !== undefined && stored?.rev !== base) return null
    // Above the slot and above every revision this tab has held or seen end: a sign-in in the
    // millisecond of a sign-out must not take the ended session's number.
    if (replace) {
      const rev = Math.max(s.rev, (stored?.rev ?? 0) + 1, knownRev + 1, numberFloor + 1)
      // A new sign-in is named by its first revision, plus a random fraction so that two tabs
      // signing in within one millisecond never share a name.
      s = { ...s, rev, sid: s.sid ?? rev + d.random() }
    } else if (stored !== undefined && stored?.rev !== s.rev) return null
    knownRev = Math.max(knownRev, s.rev)
    const failure = store().write(
      d.cookieMode
        ? { ...s, accessToken: null, refreshToken: null, user: null, expiresAt: null }
        : s,
    )
    if (failure && failure !== writeFailure) d.report(failure)
    writeFailure = failure
    return s
  }

  /**
   * This tab's session `s` ended (`here`: this tab ended it). The tab that ended it clears the
   * slot, unless it holds a newer one. The tabs that follow clear it too if it still holds that
   * sign-in once their view of storage has caught up (one of them may have written a later
   * revision of it, a user update, that reached storage after the first clear); at once, a stale
   * view could take a newer sign-in for it.
   */
  function ended(s: Session<User>, reason: EndReason, here: boolean): void {
    const { rev } = s
    const sid = sidOf(s)
    knownRev = Math.max(knownRev, rev)
    over.add(sid)
    const clearIf = (ours: (s: Session<User>) => boolean) => {
      const stored = read()
      if (stored && ours(stored)) {
        store().clear()
        shared.activity.clear()
      }
    }
    if (here) {
      clearIf((s) => sidOf(s) === sid || s.rev <= rev)
      shared.post({ kind: 'end', reason, rev, sid })
    } else d.clock.schedule(() => clearIf((s) => sidOf(s) === sid), FOLLOW_CLEAR_MS)
  }

  return {
    read,
    persist,
    ended,
    /** Another tab ended sign-in `sid` at revision `rev` (a tamper end: sid 0, every one until it). */
    noteEnded(rev: number, sid: number): void {
      if (!sid) numberFloor = Math.max(numberFloor, rev)
      else {
        knownRev = Math.max(knownRev, rev)
        over.add(sid)
      }
    },
    /** Whether sign-in `sid` has ended or been replaced (here, or in a tab that said so). */
    hasEnded: (sid: number) => over.has(sid),
    /** This tab holds revision `rev`. */
    noteRev(rev: number): void {
      knownRev = Math.max(knownRev, rev)
    },
    /** Sign-in `sid` was replaced by another: it is over, though not ended yet here. */
    noteReplaced(sid: number): void {
      over.add(sid)
    },
    get knownRev() {
      return knownRev
    },
    dispose(): void {
      disposed = true
    },
  }
}
