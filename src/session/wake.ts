import { listen } from '../core/environment.js'

/** What a wake-up is: the tab came back (`focus`, `online`, `pageshow`, visible again) or hid. */
export type WakeListener = (event: { hidden: boolean }) => void

/** The tab's wake-ups. See {@link createWakeups}. */
export type Wakeups = ReturnType<typeof createWakeups>

/**
 * The moments a tab comes back: focus, coming online, a page shown from the back/forward cache,
 * becoming visible. Timers drift and sleeping devices fire them late, so whoever keeps deadlines
 * looks at the wall clock again then. Like TanStack Query's focusManager: listens to the DOM only
 * while someone is subscribed.
 */
export function createWakeups(
  targets: () => {
    window: EventTarget | null
    document: (EventTarget & { visibilityState?: string }) | null
  },
) {
  const listeners = new Set<WakeListener>()
  let detach: (() => void) | null = null

  function attach(): () => void {
    const { window, document } = targets()
    const onEvent = (event: Event) => {
      const hidden = event.type === 'visibilitychange' && document?.visibilityState === 'hidden'
      for (const listener of [...listeners]) listener({ hidden })
    }
    return listen(
      [
        [window, 'focus'],
        [window, 'online'],
        [window, 'pageshow'],
        [document, 'visibilitychange'],
      ],
      onEvent,
    )
  }

  return {
    /** Calls `listener` on each wake-up; returns the unsubscribe. */
    subscribe(listener: WakeListener): () => void {
      listeners.add(listener)
      detach ??= attach()
      return () => {
        listeners.delete(listener)
        if (!listeners.size) {
          detach?.()
          detach = null
        }
      }
    },
  }
}
