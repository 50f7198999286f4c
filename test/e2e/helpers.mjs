// What the scenarios share: opening the demo, signing in, waiting for what a person would see.
// Waits are bounded polls for a condition, never a fixed sleep.

export const SERVER_KEY = 'sk-demo-server'

export async function open(context, url, path = '/') {
  const page = context.pages()[0] ?? (await context.newPage())
  await page.goto(url + path)
  await page.getByTestId('status').waitFor()
  return page
}

/** Opens another tab of the same browser (same storage) on the demo. */
export async function openTab(context, url, path = '/') {
  const page = await context.newPage()
  await page.goto(url + path)
  await page.getByTestId('status').waitFor()
  return page
}

/** Signs in with the form (as `username` when given: the demo-user chip fills the form). */
export async function signIn(page, username) {
  if (username) await page.getByTestId(`as-${username}`).click()
  const response = page.waitForResponse((r) => r.url().endsWith('/api/auth/login'))
  await page.getByTestId('sign-in').click()
  const body = await (await response).json()
  await expectText(page, 'status', 'authenticated')
  return body
}

/**
 * The usual opening: the demo (or `path`) open and signed in (as `as`, when given). With `clock`,
 * Playwright's clock is installed first: it must be in place before the page loads.
 */
export async function signedInPage(context, url, { clock = false, as, path = '/' } = {}) {
  if (clock) await context.clock.install()
  const page = await open(context, url, path)
  await signIn(page, as)
  return page
}

export async function expectText(page, testId, text, timeout = 5_000) {
  await page.getByTestId(testId).filter({ hasText: text }).first().waitFor({ timeout })
}

/** The status pill and the user's name, as the tab shows them. */
export const shown = async (page) =>
  page.evaluate(() => ({
    status: document.querySelector('[data-testid="status"]')?.textContent ?? null,
    user: document.querySelector('[data-testid="user"]')?.textContent ?? null,
  }))

/** The mock server's call counts, shared by every tab through localStorage. */
export const counts = async (page) =>
  page.evaluate((k) => JSON.parse(localStorage.getItem(k)).counts, SERVER_KEY)

/** Polls `check` every 50 ms until it returns something truthy, for at most `timeout` ms. */
export async function until(check, what, timeout = 5_000) {
  const end = Date.now() + timeout
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function seeded(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
