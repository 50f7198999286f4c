/**
 * Marks a request session-keeper makes to an auth endpoint itself: no bearer gate, no 401
 * refresh, no retry. A plain string key, because axios copies unknown config keys when it merges
 * configs but drops symbols.
 */
export const AUTH_CALL = '__sessionKeeperAuthCall'

/** A path the URL parser keeps as it is: no `.`/`..` segment, no escape, no backslash. */
const PLAIN_PATH = /^(?:\/(?!\.\.?(?:\/|$))[\w\-.~!$&'()*+,;=:@]*)*$/

/** The page URL relative request URLs resolve against, as XHR and fetch resolve them. */
function pageHref(): string {
  const href = (globalThis as { location?: { href?: string } }).location?.href
  return typeof href === 'string' && /^https?:/.test(href) ? href : 'http://localhost/'
}

/** Joins a request URL to its instance `baseURL` as axios does: an absolute URL wins. */
export function fullURL(baseURL: string | undefined, url: string | undefined): string {
  const u = url ?? ''
  if (/^([a-z][a-z\d+\-.]*:)?\/\//i.test(u) || !baseURL) return u
  return baseURL.replace(/\/+$/, '') + '/' + u.replace(/^\/+/, '')
}

/** Where a request goes: outside the API base, to an auth endpoint under it, or to the API. */
export type Destination = 'outside' | 'auth' | 'api'

/**
 * Decides where a URL goes, parsing it once: under the API base means the same scheme, host and
 * port, and a path inside the base path on a segment boundary (protocol-relative URLs, other
 * origins and an `http://` variant of an `https://` API are all outside); under it, `authURLs`
 * (compared by origin and path, whatever the query) are auth endpoints.
 */
export function createScope(
  apiBase: string,
  authURLs: string[] = [],
): (url: string) => Destination {
  const page = pageHref()
  const auth = new Set(authURLs.map(normalizeURL))
  let base: URL
  try {
    base = new URL(apiBase || '/', page)
  } catch {
    return () => 'outside'
  }
  const prefix = base.pathname.replace(/\/+$/, '')
  const head = base.origin + prefix
  const where = (endpoint: string): Destination => (auth.has(endpoint) ? 'auth' : 'api')
  return (url) => {
    // No parse for the usual request: the base as the URL parser writes it, then a plain path
    // (no dot segment, escape or character the parser would rewrite), then any query.
    if (url.startsWith(head)) {
      const rest = url.slice(head.length)
      const end = rest.search(/[?#]/)
      const path = end < 0 ? rest : rest.slice(0, end)
      if (PLAIN_PATH.test(path)) return where(head + path.replace(/\/+$/, ''))
    }
    let target: URL
    try {
      target = new URL(url, page)
    } catch {
      return 'outside'
    }
    const path = target.pathname
    if (
      target.protocol !== base.protocol ||
      target.host !== base.host ||
      (prefix !== '' && path !== prefix && !path.startsWith(prefix + '/'))
    )
      return 'outside'
    return where(target.origin + path.replace(/\/+$/, ''))
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
