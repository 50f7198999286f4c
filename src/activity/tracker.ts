import { listen } from '../core/environment.js'

/** DOM events that count as user activity. */
export const ACTIVITY_EVENTS = [
  'pointerdown',
  'pointermove',
  'keydown',
  'wheel',
  'touchstart',
  'scroll',
  'focus',
  'visibilitychange',
] as const

/**
 * Listens for user activity with passive listeners and reports it at most once per `throttleMs`.
 * The hot path of a mouse-move storm is one clock read and one comparison.
 */
export function trackActivity(
  targets: {
    window: EventTarget | null
    document: (EventTarget & { visibilityState?: string }) | null
  },
  now: () => number,
  throttleMs: number,
  onActivity: () => void,
): () => void {
  let last = -Infinity
  const listener = (event: Event) => {
    // Becoming hidden is not activity; becoming visible is. The window gaining focus is activity;
    // an element taking it (heard here in the capture phase) may be the page's own doing, such as
    // a dialog focusing its button, and the user's keys and pointer are heard anyway.
    if (event.type === 'visibilitychange' && targets.document?.visibilityState === 'hidden') return
    if (event.type === 'focus' && event.target !== targets.window) return
    const t = now()
    if (t - last < throttleMs) return
    last = t
    onActivity()
  }
  return listen(
    ACTIVITY_EVENTS.map((type) => [
      type === 'visibilitychange' ? targets.document : targets.window,
      type,
    ]),
    listener,
    { passive: true, capture: true },
  )
}
