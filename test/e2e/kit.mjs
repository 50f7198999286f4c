// Issue 20: the testing kit in the browser, used as the README's setupWorker sample uses it (no
// `persist`, the kit's defaults): a reload and a second tab keep the session.
import assert from 'node:assert/strict'
import { expectText, openTab, signedInPage, until } from './helpers.mjs'

const PAGE = '/kit.html'

/** Loads the protected resource; resolves to what the page shows: the items, or why not. */
async function loadData(page) {
  // signed out already (the page's sign-in button instead): the check below says so
  await page
    .getByTestId('load-data')
    .click({ timeout: 2_000 })
    .catch(() => {})
  return until(async () => {
    const [items, status] = await Promise.all([
      page
        .getByTestId('items')
        .textContent({ timeout: 100 })
        .catch(() => null),
      page.getByTestId('status').textContent(),
    ])
    if (items) return items
    if (status !== 'authenticated') {
      const reason = await page
        .getByTestId('reason')
        .textContent({ timeout: 100 })
        .catch(() => '')
      return `signed out (${reason.trim() || 'no reason shown'})`
    }
    return null
  }, 'the data or a sign-out')
}

export const kitScenarios = {
  async 'the kit in the browser with its defaults: a reload and a second tab keep the session'({
    context,
    url,
    shot,
  }) {
    const page = await signedInPage(context, url, { path: PAGE })
    assert.equal(await loadData(page), 'alpha,beta,gamma')
    await page.reload()
    await page.getByTestId('status').waitFor()
    assert.equal(await loadData(page), 'alpha,beta,gamma', 'after a reload')
    await expectText(page, 'status', 'authenticated')
    await expectText(page, 'user', 'Ada Lovelace')
    const second = await openTab(context, url, PAGE)
    assert.equal(await loadData(second), 'alpha,beta,gamma', 'in a second tab')
    await expectText(second, 'user', 'Ada Lovelace')
    await shot('kit-second-tab.png', second)
  },
}
