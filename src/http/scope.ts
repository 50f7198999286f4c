/**
 * Marks a request session-keeper makes to an auth endpoint itself: no bearer gate, no 401
 * refresh, no retry. A plain string key, because axios copies unknown config keys when it merges
 * configs but drops symbols.
 */
export const AUTH_CALL = '__sessionKeeperAuthCall'

/**
 * Config for session-keeper's own call to an auth endpoint, with the given token sent explicitly
 * (the request gate is bypassed: it may be waiting for the very refresh that makes this call).
 */
export const authCall = (timeout: number, token?: string | null) => ({
  [AUTH_CALL]: true,
  timeout,
  headers: token ? { Authorization: `Bearer ${token}` } : {},
})

const FALLBACK_ORIGIN = 'http://localhost'

/** The page URL relative request URLs resolve against, as XHR and fetch resolve them. */
function pageHref(): string {
  const href = (globalThis as { location?: { href?: string } }).location?.href
  return typeof href === 'string' && /^https?:/.test(href) ? href : FALLBACK_ORIGIN + '/'
}

/** Joins a request URL to its instance `baseURL` as axios does: an absolute URL wins. */
export function fullURL(baseURL: string | undefined, url: string | undefined): string {
  const u = url ?? ''
  if (/^([a-z][a-z\d+\-.]*:)?\/\//i.test(u) || !baseURL) return u
  return baseURL.replace(/\/+$/, '') + '/' + u.replace(/^\/+/, '')
}

/**
 * Decides whether a URL lies under the API base: same scheme, host and port, and a path inside the
 * base path on a segment boundary. Protocol-relative URLs, other origins and an `http://` variant
 * of an `https://` API are all outside.
 */
export function createScope(apiBase: string): (url: string) => boolean {
  const page = pageHref()
  let base: URL
  try {
    base = new URL(apiBase || '/', page)
  } catch {
    return () => false
  }
  const prefix = base.pathname.replace(/\/+$/, '')
  return (url) => {
    let target: URL
    try {
      target = new URL(url, page)
    } catch {
      return false
    }
    if (target.protocol !== base.protocol || target.host !== base.host) return false
    return prefix === '' || target.pathname === prefix || target.pathname.startsWith(prefix + '/')
  }
}

/** A URL reduced to origin + path, for comparing endpoints whatever their query string. */
export function normalizeURL(url: string): string {
  try {
    const u = new URL(url, pageHref())
    return u.origin + u.pathname.replace(/\/+$/, '')
  } catch {
    return url
  }
}
