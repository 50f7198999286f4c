import { useEffect, useState, useSyncExternalStore } from 'react'
import { isOffline, subscribeOffline } from './server'

/** The current time, re-read every `ms` (for countdowns in the panels that show them). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), ms)
    return () => clearInterval(id)
  }, [ms])
  return now
}

/** "1m 05s" / "12s" / "now" */
export function countdown(ms: number | null): string {
  if (ms === null) return '—'
  if (ms <= 0) return 'now'
  const s = Math.ceil(ms / 1000)
  return s >= 60 ? `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s` : `${s}s`
}

/** Whether this tab's mock network is off (the "Go offline" control). */
export const useOffline = (): boolean => useSyncExternalStore(subscribeOffline, isOffline)
