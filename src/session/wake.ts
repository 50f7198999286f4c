import { listen } from '../core/environment.js'

/** What a wake-up is: the tab came back (`focus`, `online`, `pageshow`, visible again) or hid. */
export type WakeListener = (event: { hidden: boolean }) => void

/** The tab's wake-ups. See {@link createWakeups}. */
export type Wakeups = ReturnType<typeof createWakeups>

/**
 * The moments a tab comes back: focus, coming online, a page shown from the back/forward cache,
 * becoming visible. Timers drift and sleeping devices fire them late, so whoever keeps deadlines
 * looks at the wall clock again then. Like TanStack Query's focusManager: listens to the DOM only
 * while someone is subscribed (each subscription with listeners of its own: the keeper's mount is
 * the one subscriber, so no list of subscribers is kept).
 */
export function createWakeups(
  targets: () => {
    window: EventTarget | null
    document: (EventTarget & { visibilityState?: string }) | null
  },
) {
  return {
    /** Calls `listener` on each wake-up; returns the unsubscribe. */
    subscribe(listener: WakeListener): () => void {
      const { window, document } = targets()
      return listen(
        [
          [window, 'focus'],
          [window, 'online'],
          [window, 'pageshow'],
          [document, 'visibilitychange'],
        ],
        (event) =>
          listener({
            hidden: event.type === 'visibilitychange' && document?.visibilityState === 'hidden',
          }),
      )
    },
  }
}
