import { finite, sidOf, type Session } from '../core/tokens.js'
import { END_REASONS, type EndReason } from '../core/types.js'
import type { Shared } from './shared.js'

/**
 * Ends as a tab takes them in: sign-in `sid` ended; so did every sign-in begun before `since` (one
 * slot holds one sign-in per browser, so those were replaced by a later one, whether or not a tab
 * saw it; within one millisecond, tabs that cannot see each other's writes cannot order their
 * sign-ins, so neither ends the other), and every sign-in numbered below `floor` (tampering was
 * found then: revisions are time-based).
 */
export interface Ends {
  sid: number
  since: number
  floor: number
}

/** The tamper floor as recorded, with a fingerprint of the bad blob it was found in. */
type Found = { floor: number; blob: number }

/** What one tab knows of the timeline. See {@link createKnown}. */
export type Known = ReturnType<typeof createKnown>

/**
 * What one tab knows of the browser's session timeline: the newest revision it has held or seen
 * end (nothing at or below it is adopted again), and which sign-ins have ended or been replaced.
 * It learns them from its own ends, from other tabs' messages, and from the records beside the slot
 * (`<key>:ended` for the last sign-in's end, `<key>:tampered` for the tamper floor: records of their
 * own, so that tabs ending at once do not drop each other's), where a tab that missed a message, or
 * a page opened after it, finds them: an empty slot alone cannot say why it is empty.
 */
export function createKnown(shared: Pick<Shared<unknown>, 'ended' | 'floor'>) {
  let rev = 0
  /** Sign-ins seen to end, or replaced (by a sign-in other tabs named but did not say which). */
  const over = new Set<number>()
  /** Sign-ins this tab saw replaced, and by which. */
  const replaced = new Map<number, number>()
  let since = 0
  let floor = 0

  /** Whether `s`'s sign-in has ended, or been replaced (here, or in a tab that said so). */
  const hasEnded = (s: { sid?: number; startedAt: number }) =>
    over.has(sidOf(s)) || replaced.has(sidOf(s)) || s.startedAt < since || sidOf(s) < floor

  /** Takes in ends: this tab's, or ones another tab told of (`at`: the revision they ended at). */
  function noteEnded(at: number, e: Partial<Ends>): void {
    rev = Math.max(rev, at, e.floor ?? 0)
    if (e.sid) over.add(e.sid)
    // What the ended sign-in replaced is judged by the end alone from now on: one begun in the same
    // millisecond (two tabs signing in at once, neither seeing the other) outlives it, everywhere.
    for (const [sid, by] of replaced) if (by === e.sid) replaced.delete(sid)
    since = Math.max(since, e.since ?? 0)
    floor = Math.max(floor, e.floor ?? 0)
  }

  /**
   * Takes in the ends recorded beside the slot. Returns why `mine` has ended, if a record says it
   * has (a sign-in only replaced, by one this tab is about to adopt, is not ended by an older end).
   */
  function recorded(mine?: Session<unknown> | null): EndReason | null {
    const e = shared.ended.read() as { sid: number; since: number; reason: EndReason } | null
    const found = shared.floor.read() as Found | null
    let why: EndReason | null = null
    if (finite(found?.floor)) {
      noteEnded(0, found!)
      if (mine && sidOf(mine) < found!.floor) why = 'tampered'
    }
    if (e && finite(e.sid) && finite(e.since) && END_REASONS.has(e.reason)) {
      noteEnded(0, e)
      if (mine && (sidOf(mine) === e.sid || mine.startedAt < e.since)) why ??= e.reason
    }
    return why
  }

  return {
    hasEnded,
    noteEnded,
    recorded,
    /** Records this tab's end of sign-in `sid` beside the slot, with every end this tab knows of. */
    recordEnd(sid: number, reason: EndReason): void {
      recorded()
      shared.ended.write({ sid, since, reason })
    },
    /** The fingerprint of the bad blob the last tamper floor was found in (see `slot.ts`). */
    found: () => (shared.floor.read() as Found | null)?.blob,
    /** Records a tamper floor found here (with every one this tab knows of) and its bad blob. */
    recordFloor(at: number, blob: number): void {
      noteEnded(at, { floor: at + 1 })
      recorded()
      shared.floor.write({ floor, blob } satisfies Found)
    },
    /** This tab holds revision `r`. */
    noteRev(r: number): void {
      rev = Math.max(rev, r)
    },
    /** Sign-in `sid` was replaced by sign-in `by` (0: unknown): over, though not ended yet here. */
    noteReplaced(sid: number, by = 0): void {
      if (by) replaced.set(sid, by)
      else over.add(sid)
    },
    /** The newest revision this tab has held or seen end. */
    get rev() {
      return rev
    },
    get floor() {
      return floor
    },
  }
}
