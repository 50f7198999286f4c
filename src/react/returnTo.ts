import { useEffect, useState } from 'react'

const RETURN_KEY = 'session-keeper:return-to'

const store = (): Storage | null => {
  try {
    return globalThis.sessionStorage ?? null
  } catch {
    return null // storage blocked (sandboxed frame, privacy settings)
  }
}

/** Only same-origin paths: one leading `/`, not `//` or `/\` (which browsers read as `//`). */
const samePath = (value: string | null) => (value && /^\/(?![/\\])/.test(value) ? value : null)

/** Remembers `path` for {@link takeReturnTo} / {@link useReturnTo}. @internal */
export function rememberReturnTo(path: string): void {
  try {
    store()?.setItem(RETURN_KEY, path)
  } catch {
    // no storage: nothing to remember
  }
}

const peek = () => {
  try {
    return samePath(store()?.getItem(RETURN_KEY) ?? null)
  } catch {
    return null
  }
}

const forget = () => {
  try {
    store()?.removeItem(RETURN_KEY)
  } catch {
    // nothing to forget
  }
}

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
