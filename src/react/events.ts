import { useRef } from 'react'
import type { SessionEventOf, SessionEventType } from '../core/types.js'
import { useKeeper, useMountEffect } from './context.js'

/**
 * Calls `handler` for each event of `type` while the component is mounted (the latest `handler`,
 * so it may read props and state). Subscribes in a layout effect, which runs before
 * `AuthProvider`'s start: the `synced {from: 'storage'}` of the restore at start is not missed.
 * `createAuthHooks(keeper)` gives a version whose events know `User`.
 */
export function useSessionEvent<T extends SessionEventType, User = unknown>(
  type: T,
  handler: (event: SessionEventOf<T, User>) => void,
): void {
  const keeper = useKeeper<User>()
  const latest = useRef(handler)
  useMountEffect(() => {
    latest.current = handler
  })
  useMountEffect(() => keeper.on(type, (event) => latest.current(event)), [keeper, type])
}
