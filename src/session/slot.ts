import type { Clock } from '../core/clock.js'
import { sidOf, type Session } from '../core/tokens.js'
import { END_REASONS, type EndReason, type StorageErrorReason } from '../core/types.js'
import type { Shared } from './shared.js'

/**
 * What a tab knows of the sign-ins that have ended: sign-in `sid` ended; so did every sign-in
 * begun before `since` (one slot holds one sign-in per browser, so those were replaced by a later
 * one, whether or not a tab saw it; within one millisecond, tabs that cannot see each other's
 * writes cannot order their sign-ins, so neither ends the other), and every sign-in numbered below
 * `floor` (tampering was found then: revisions are time-based).
 */
interface Ends {
  sid: number
  since: number
  floor: number
}

/** What the slot needs from its tab. */
export interface SlotDeps<User> {
  shared: Shared<User>
  clock: Clock
  random(): number
  cookieMode: boolean
  /** This tab's session now. */
  session(): Session<User> | null
  /** The slot says this tab's session has ended (or, with none, that it was found tampered with). */
  end(reason: EndReason): void
  report(reason: StorageErrorReason): void
}

/**
 * The session slot as one tab reads and writes it, and what the tab knows of the browser's
 * timeline: the newest revision, and which sign-ins have ended. Every write is conditional on what
 * the slot holds now. Ends are recorded beside the slot, so that no tab writes an ended sign-in
 * back and no page restores one, whether or not it heard the end's message: an empty slot alone
 * cannot say why it is empty.
 */
export function createSlot<User>(d: SlotDeps<User>) {
  const { shared } = d
  const store = () => shared.store()
  /** The newest revision this tab has held or seen end: nothing at or below it is adopted again. */
  let knownRev = 0
  /** Sign-ins this tab has seen end or be replaced: none of their revisions is adopted again. */
  const over = new Set<number>()
  let since = 0
  let floor = 0
  let writeFailure: StorageErrorReason | null = null
  let disposed = false

  /** Whether `s`'s sign-in has ended, or been replaced (here, or in a tab that said so). */
  const hasEnded = (s: { sid?: number; startedAt: number }) =>
    over.has(sidOf(s)) || s.startedAt < since || sidOf(s) < floor

  /** Takes in ends: this tab's, or ones another tab told of (`rev`: the revision it ended at). */
  function noteEnded(rev: number, e: Partial<Ends>): void {
    knownRev = Math.max(knownRev, rev, e.floor ?? 0)
    if (e.sid) over.add(e.sid)
    since = Math.max(since, e.since ?? 0)
    floor = Math.max(floor, e.floor ?? 0)
  }

  /**
   * Takes in the ends recorded beside the slot: the last sign-in's end (`{ sid, since, reason }`)
   * and the tamper floor, in records of their own so that tabs ending at once do not drop each
   * other's. Returns why `mine` has ended, if a record says it has (a sign-in only replaced, by one
   * this tab is about to adopt, is not ended by an older end).
   */
  function recorded(mine?: Session<User> | null): EndReason | null {
    const e = shared.ended.read() as { sid: number; since: number; reason: EndReason } | null
    const found = shared.floor.read()
    let why: EndReason | null = null
    if (typeof found === 'number') {
      noteEnded(0, { floor: found })
      if (mine && sidOf(mine) < found) why = 'tampered'
    }
    if (e && Number.isFinite(e.sid) && Number.isFinite(e.since) && END_REASONS.has(e.reason)) {
      noteEnded(0, e)
      if (mine && (sidOf(mine) === e.sid || mine.startedAt < e.since)) why ??= e.reason
    }
    return why
  }

  /**
   * What the slot holds now: a session (with the last activity any tab recorded), `null` for
   * nothing or an ended sign-in (unless `all`), `undefined` when it cannot be read. An end
   * recorded since ends this tab's session.
   */
  function read(all = false): Session<User> | null | undefined {
    if (disposed) return undefined
    const result = store().read()
    if (!result.ok) {
      if (result.reason !== 'unavailable') tampered(result.reason)
      return undefined
    }
    const why = recorded(d.session())
    if (why) d.end(why)
    const s = result.session
    if (!s || (!all && hasEnded(s))) return null
    const at = shared.activity.read()
    return typeof at === 'number' && at > s.lastActivity ? { ...s, lastActivity: at } : s
  }

  /**
   * The slot failed its check: cleared, reported, and the session ended in every tab: every
   * sign-in begun until now (revisions are time-based), not one signed in after it was found.
   */
  function tampered(why: StorageErrorReason): void {
    const at = Math.max(knownRev, floor, d.clock.now())
    noteEnded(at, { floor: at + 1 })
    recorded()
    shared.floor.write(floor)
    store().clear()
    d.report(why)
    shared.post({ kind: 'end', reason: 'tampered', rev: at, sid: 0 })
    d.end('tampered')
  }

  /**
   * Writes `s` if the slot still holds what it was based on: a new session (`replace`) gets a
   * revision above whatever the slot holds, so revisions order writes across tabs; an update of the
   * same session is written only over that same revision, never over a newer session or into a
   * slot another tab cleared. In cookie mode only the timeline is written (no token, no user).
   * Returns what was written, `null` when nothing was, or `false` when the commit must be dropped
   * (the slot moved past `base`, or the sign-in has ended).
   */
  function persist(
    s: Session<User>,
    replace: boolean,
    base?: number,
  ): Session<User> | null | false {
    if (disposed) return null
    const stored = read(true)
    if (s.sid !== undefined && hasEnded(s)) return false
    if (base !== undefined && stored !== undefined && stored?.rev !== base) return false
    // Above the slot and above every revision this tab has held or seen end (a tamper floor
    // included): a sign-in in the millisecond of a sign-out must not take the ended one's number.
    if (replace) {
      const rev = Math.max(s.rev, (stored?.rev ?? 0) + 1, knownRev + 1)
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
   * This tab's session `s` ended (`here`: this tab ended it, so it records the end and clears the
   * slot, unless that holds a newer session). A tab that follows another's end clears nothing: its
   * view of storage may be stale and take a newer sign-in for the ended one, and the recorded end
   * keeps a late write of the ended sign-in (a user update racing the sign-out) from being
   * restored or adopted.
   */
  function ended(s: Session<User>, reason: EndReason, here: boolean): void {
    const { rev, startedAt } = s
    const sid = sidOf(s)
    noteEnded(rev, { sid, since: startedAt })
    if (!here) return
    recorded()
    shared.ended.write({ sid, since, reason })
    const stored = read(true)
    if (stored && (sidOf(stored) === sid || stored.rev <= rev)) {
      store().clear()
      shared.activity.clear()
    }
    shared.post({ kind: 'end', reason, rev, sid, at: startedAt })
  }

  return {
    read,
    persist,
    ended,
    noteEnded,
    hasEnded,
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
