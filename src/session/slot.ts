import type { Clock } from '../core/clock.js'
import { sidOf, type Session } from '../core/tokens.js'
import type { EndReason, StorageErrorReason } from '../core/types.js'
import { createKnown } from './known.js'
import type { Shared } from './shared.js'

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
  /** The keeper was destroyed (a closed page): the slot is neither read nor written. */
  disposed(): boolean
}

/**
 * The session slot as one tab reads and writes it. Every write is conditional on what the slot
 * holds now, and on what the tab knows of the timeline ({@link createKnown}): no tab writes an
 * ended sign-in back, and no page restores one, whether or not it heard the end's message.
 */
export function createSlot<User>(d: SlotDeps<User>) {
  const { shared } = d
  const store = () => shared.store()
  const known = createKnown(shared)
  const { hasEnded } = known
  let writeFailure: StorageErrorReason | null = null

  /**
   * What the slot holds now: a session (with the last activity any tab recorded), `null` for
   * nothing or an ended sign-in (unless `all`), `undefined` when it cannot be read. An end
   * recorded since ends this tab's session.
   */
  function read(all = false): Session<User> | null | undefined {
    if (d.disposed()) return undefined
    const result = store().read()
    if (!result.ok) {
      if (result.reason !== 'unavailable') tampered(result.reason, result.raw)
      return undefined
    }
    const why = known.recorded(d.session())
    if (why) d.end(why)
    const s = result.session
    if (!s || (!all && hasEnded(s))) return null
    const at = shared.activity.read()
    return typeof at === 'number' && at > s.lastActivity ? { ...s, lastActivity: at } : s
  }

  /**
   * The slot failed its check: cleared, reported, and the session ended in every tab: every
   * sign-in begun until now (revisions are time-based), not one signed in after it was found. The
   * record names the bad blob: a tab whose view of storage is late and still shows one that another
   * tab dealt with only ends its own session (clearing now could remove a newer sign-in, and a new
   * floor would end it).
   */
  function tampered(why: StorageErrorReason, raw = ''): void {
    let blob = raw.length
    for (let i = 0; i < raw.length; i++) blob = (blob * 31 + raw.charCodeAt(i)) | 0
    if (known.found() === blob) known.recorded()
    else {
      const at = Math.max(known.rev, known.floor, d.clock.now())
      known.recordFloor(at, blob)
      store().clear()
      d.report(why)
      shared.post({ kind: 'end', reason: 'tampered', rev: at, sid: 0 })
    }
    const mine = d.session()
    if (!mine || hasEnded(mine)) d.end('tampered')
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
    if (d.disposed()) return null
    const stored = read(true)
    if (s.sid !== undefined && hasEnded(s)) return false
    if (base !== undefined && stored !== undefined && stored?.rev !== base) return false
    // Above the slot and above every revision this tab has held or seen end (a tamper floor
    // included): a sign-in in the millisecond of a sign-out must not take the ended one's number.
    if (replace) {
      const rev = Math.max(s.rev, (stored?.rev ?? 0) + 1, known.rev + 1)
      // A new sign-in is named by its first revision, plus a random fraction so that two tabs
      // signing in within one millisecond never share a name.
      s = { ...s, rev, sid: s.sid ?? rev + d.random() }
    } else if (stored !== undefined && stored?.rev !== s.rev) return null
    known.noteRev(s.rev)
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
    known.noteEnded(rev, { sid, since: startedAt })
    if (!here) return
    known.recordEnd(sid, reason)
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
    /** What this tab knows of the timeline. */
    known,
  }
}
