// Issue 17's demo list: what a person sees on a phone, with a keyboard or a screen reader, and the
// controls that make "one refresh per browser" and "no logout after a restart" visible.
import assert from 'node:assert/strict'
import { counts, expectText, open, signIn, signedInPage, until } from './helpers.mjs'

/** Anything wider than the viewport: the page's own scroll width, the counts and their card. */
const widths = (page) =>
  page.evaluate(() => {
    const w = document.documentElement.clientWidth
    const el = document.querySelector('[data-testid="counts"]')
    const card = el?.closest('.card')
    return {
      page: [document.documentElement.scrollWidth, w],
      counts: el && [el.scrollWidth, el.clientWidth],
      card: card && [card.scrollWidth, card.clientWidth],
      outside: [...document.querySelectorAll('body *')]
        .filter((e) => {
          const r = e.getBoundingClientRect()
          return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5)
        })
        .map((e) => `${e.tagName.toLowerCase()}.${e.className}`)
        .slice(0, 5),
    }
  })

function fits(w, where) {
  assert.ok(w.page[0] <= w.page[1], `${where}: the page scrolls sideways ${JSON.stringify(w)}`)
  if (w.counts) assert.ok(w.counts[0] <= w.counts[1], `${where}: the counts overflow`)
  if (w.card) assert.ok(w.card[0] <= w.card[1], `${where}: the counts' card overflows`)
  assert.deepEqual(w.outside, [], `${where}: elements past the screen's edge`)
}

export const demoScenarios = {
  async 'phone width (390 px): nothing wider than the screen, the counts wrap'({
    context,
    url,
    shot,
  }) {
    const page = context.pages()[0] ?? (await context.newPage())
    await page.setViewportSize({ width: 390, height: 844 })
    await open(context, url)
    fits(await widths(page), 'signed out')
    await shot('phone-sign-in.png', page, { fullPage: true })
    await signIn(page)
    fits(await widths(page), 'signed in')
    await shot('phone-signed-in.png', page, { fullPage: true })
  },

  async 'sign-in form, sign-out message, favicon and timings: what browsers and screen readers need'({
    context,
    url,
    shot,
  }) {
    const failed = []
    // pages, scripts, icons (the mock API's own refusals are the demo's business)
    context.on('response', (r) => {
      const api = new URL(r.url()).pathname.startsWith('/api/')
      if (r.status() >= 400 && !api) failed.push(`${r.status()} ${r.url()}`)
    })
    for (const path of ['/payment.html', '/kit.html', '/']) {
      const page = context.pages()[0] ?? (await context.newPage())
      await page.goto(url + path)
      const href = await page.locator('link[rel="icon"]').getAttribute('href')
      const icon = await page.request.get(new URL(href, url + path).href)
      assert.equal(icon.status(), 200, `the icon of ${path}`)
      assert.match(icon.headers()['content-type'], /^image\//)
    }
    const page = await open(context, url)
    assert.equal(
      await page.locator('input[name="password"]').getAttribute('autocomplete'),
      'current-password',
    )
    assert.equal(
      await page.locator('input[name="username"]').getAttribute('autocomplete'),
      'username',
    )
    // the Timings card shows its settings, not an empty box
    for (const label of ['Access token lifetime (s)', 'Idle timeout (s)', 'Idle warning (s)'])
      assert.ok(await page.getByLabel(label).isVisible(), `${label} is visible`)
    await signIn(page)
    await page.getByTestId('sign-out').click()
    // announced: the reason is a status message
    await page.getByRole('status').filter({ hasText: 'You signed out.' }).waitFor()
    await shot('signed-out-reason.png', page)
    assert.deepEqual(failed, [], 'no request failed')
  },

  async 'token health: the result goes when the session ends'({ context, url }) {
    const page = await signedInPage(context, url)
    await page.getByTestId('check-health').click()
    await page.getByTestId('health').waitFor()
    await page.getByTestId('sign-out').click()
    await page.getByTestId('health').waitFor({ state: 'detached' })
    await page.getByText('No check yet.').waitFor()
  },

  async 'token expired while offline, then 20 requests at once: exactly one refresh'({
    context,
    url,
    shot,
  }) {
    const page = await signedInPage(context, url, { clock: true })
    const before = (await counts(page)).refresh
    await page.getByTestId('expire-send-20').click()
    await page.getByTestId('expiring').waitFor()
    await context.clock.fastForward(32_000) // the 30 s token runs out while the network is down
    const burst = page.getByTestId('burst')
    await burst.waitFor()
    assert.equal(await burst.getAttribute('data-ok'), '20')
    assert.equal(await burst.getAttribute('data-refreshes'), '1', 'one refresh during the burst')
    assert.equal((await counts(page)).refresh - before, 1, 'one refresh in all')
    await expectText(page, 'status', 'authenticated')
    await shot('burst-after-expiry.png', page)
  },

  async 'a restart that keeps the sessions: still signed in, data loads, the next refresh works'({
    context,
    url,
    shot,
  }) {
    const page = await signedInPage(context, url, { clock: true })
    const before = await counts(page)
    await page.getByTestId('restart-keep').click()
    await page.getByTestId('load-data').click()
    await page.getByTestId('items').waitFor()
    await context.clock.fastForward(16_000) // past the refresh moment of the 30 s token
    const log = page.getByTestId('event-log')
    await log.locator('li[data-type="refreshed"]').first().waitFor()
    await expectText(page, 'status', 'authenticated')
    assert.equal(await log.locator('li[data-type="loggedOut"]').count(), 0, 'no sign-out')
    const after = await counts(page)
    assert.equal(after.refresh - before.refresh, 1)
    assert.equal(after.data - before.data, 1, 'the data call needed no retry')
    await shot('restart-keeping-sessions.png', page)
  },

  async 'dev server (StrictMode, React development build): no React warning, event-log keys unique'({
    context,
    dev,
  }) {
    const url = await dev()
    const page = context.pages()[0] ?? (await context.newPage())
    const warnings = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') warnings.push(m.text().slice(0, 200))
    })
    await page.goto(url)
    await page.getByTestId('status').waitFor({ timeout: 30_000 }) // the first load transforms
    await signIn(page)
    await page.reload()
    await expectText(page, 'status', 'authenticated')
    for (let i = 0; i < 2; i++) {
      await page.getByTestId('check-health').click()
      await page.getByTestId('health').waitFor()
    }
    await page.getByTestId('switch').click()
    await expectText(page, 'user', 'Grace Hopper')
    const ids = await until(async () => {
      const all = await page
        .getByTestId('event-log')
        .locator('li[data-id]')
        .evaluateAll((l) => l.map((li) => li.dataset.id))
      return all.length >= 5 && all // restore, health ×2, sign-out, sign-in
    }, 'the events in the log')
    assert.equal(new Set(ids).size, ids.length, `event-log keys repeat: ${ids}`)
    assert.deepEqual(warnings, [], 'the console stays clean')
  },
}
