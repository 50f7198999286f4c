import { useEffect, useState } from 'react'

const RETURN_KEY = 'session-keeper:return-to'

/** Runs `fn` on sessionStorage; `null` where there is none or it throws (blocked, SSR). */
function session<T>(fn: (storage: Storage) => T): T | null {
  try {
    return fn(globalThis.sessionStorage)
  } catch {
    return null
  }
}

/** Only same-origin paths: one leading `/`, not `//` or `/\` (which browsers read as `//`). */
const peek = () =>
  session((s) => {
    const value = s.getItem(RETURN_KEY)
    return value && /^\/(?![/\\])/.test(value) ? value : null
  })

const forget = () => void session((s) => s.removeItem(RETURN_KEY))

/** Remembers `path` for {@link takeReturnTo} / {@link useReturnTo}. @internal */
export const rememberReturnTo = (path: string) => void session((s) => s.setItem(RETURN_KEY, path))

/**
 * Returns (and forgets) the same-origin path the user was on when `RequireAuth` asked them to
 * sign in, or `fallback`. Only paths starting with a single `/` are returned, so a stored value can
 * never send the user to another site. Forgets on read, so call it in an event handler or effect,
 * never during render (StrictMode renders twice): in a component use {@link useReturnTo}.
 * Imported from `session-keeper/react`.
 */
export function takeReturnTo(fallback = '/'): string {
  const value = peek()
  forget()
  return value ?? fallback
}

/**
 * {@link takeReturnTo} for components (a sign-in page): reads the remembered path once per mount,
 * keeps it for the component's life, and forgets the stored one after the first commit, so it is
 * safe under StrictMode's double render and double mount.
 * @param fallback where to go when nothing was remembered. @default '/'
 */
export function useReturnTo(fallback = '/'): string {
  const [value] = useState(() => peek() ?? fallback)
  useEffect(forget, [])
  return value
}
