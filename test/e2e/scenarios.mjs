// What a person does with the demo, and what they must see. Each scenario gets a fresh profile.
// More in demo.mjs (issue 17's demo list), kit.mjs (issue 20) and cross-tab.mjs (issue 17's tabs).
import assert from 'node:assert/strict'
import { counts, expectText, open, signIn, signedInPage, until } from './helpers.mjs'

export const scenarios = {
  async 'sign in, reload: still signed in, and storage holds no token text'({
    context,
    url,
    shot,
  }) {
    const page = await open(context, url)
    const consoleLines = []
    page.on('console', (m) => consoleLines.push(m.text()))
    await expectText(page, 'status', 'unauthenticated')
    await shot('sign-in.png', page)
    const login = await signIn(page)
    assert.ok(login.access_token && login.refresh_token)
    await page.reload()
    await expectText(page, 'status', 'authenticated')
    await expectText(page, 'user', 'Ada Lovelace')
    await expectText(page, 'event-log', 'from storage') // restored, not signed in again
    const stored = await page.evaluate(() =>
      JSON.stringify([{ ...localStorage }, { ...sessionStorage }, document.cookie]),
    )
    for (const token of [login.access_token, login.refresh_token]) {
      assert.ok(!stored.includes(token), 'a token is in storage')
      for (const part of token.split('.'))
        assert.ok(!stored.includes(part), 'part of a token is in storage')
    }
    assert.ok(!/eyJ/.test(stored), 'JWT-looking text in storage')
    await page.getByTestId('load-data').click()
    await page.getByTestId('items').waitFor()
    await shot('signed-in.png', page)
    // nothing the page logged, nor the event log it shows, holds a token
    const shown = consoleLines.join('\n') + (await page.getByTestId('event-log').innerText())
    for (const token of [login.access_token, login.refresh_token])
      assert.ok(!shown.includes(token.split('.')[2]))
  },

  async 'two tabs: one refresh between them, and logout everywhere'({ context, url, shot }) {
    const a = await signedInPage(context, url, { clock: true })
    const b = await context.newPage()
    await b.goto(url)
    await expectText(b, 'status', 'authenticated')
    const before = (await counts(a)).refresh
    // the 30 s token refreshes 15 s before expiry: both tabs reach that moment together
    await context.clock.fastForward(16_000)
    // Settled once one tab has refreshed and the other has adopted its tokens: the adopter's own
    // due refresh then finds the slot already renewed and makes no call.
    const seen = (page, type, text) =>
      page.getByTestId('event-log').locator(`li[data-type="${type}"]`, { hasText: text }).count()
    await until(async () => {
      const [aRefreshed, bRefreshed, aAdopted, bAdopted] = await Promise.all([
        seen(a, 'refreshed'),
        seen(b, 'refreshed'),
        seen(a, 'synced', 'other-tab'),
        seen(b, 'synced', 'other-tab'),
      ])
      return (aRefreshed && bAdopted) || (bRefreshed && aAdopted)
    }, 'one tab refreshed and the other adopted it')
    assert.equal((await counts(a)).refresh - before, 1, 'exactly one refresh for two tabs')
    for (const page of [a, b]) {
      await page.getByTestId('load-data').click()
      await page.getByTestId('items').waitFor()
    }
    await shot('two-tabs-b.png', b)
    await a.getByRole('button', { name: 'Sign out' }).click()
    await expectText(b, 'status', 'unauthenticated', 1_000)
    assert.equal(await b.getByTestId('reason').getAttribute('data-reason'), 'logout')
    await shot('logged-out-other-tab.png', b)
  },

  async '20 parallel requests on an expired token: one refresh'({ context, url, shot }) {
    const page = await signedInPage(context, url, { clock: true })
    const now = await page.evaluate(() => Date.now())
    await context.clock.setSystemTime(now + 45_000) // asleep past expiry: no timer fired
    const before = (await counts(page)).refresh
    await page.getByTestId('send-20').click()
    const burst = page.getByTestId('burst')
    await burst.waitFor()
    assert.equal(await burst.getAttribute('data-ok'), '20')
    assert.equal(await burst.getAttribute('data-refreshes'), '1')
    assert.equal((await counts(page)).refresh - before, 1)
    await shot('burst.png', page)
  },

  async 'rotate the secret dropping the old key: the incompatible message and the sign-in page'({
    context,
    url,
    shot,
  }) {
    const page = await signedInPage(context, url)
    await page.getByTestId('rotate-drop').click()
    await page.getByTestId('check-health').click()
    await expectText(page, 'status', 'unauthenticated')
    assert.equal(await page.getByTestId('reason').getAttribute('data-reason'), 'incompatible')
    await page.getByTestId('sign-in').waitFor()
    await shot('incompatible.png', page)
    await signIn(page) // and a new sign-in works with the new key
  },

  async 'a restart that forgot the sessions: one refresh attempt, one clean logout'({
    context,
    url,
    shot,
  }) {
    const page = await signedInPage(context, url)
    const before = await counts(page)
    await page.getByTestId('restart').click()
    await page.getByTestId('load-data').click()
    await expectText(page, 'status', 'unauthenticated')
    assert.equal(await page.getByTestId('reason').getAttribute('data-reason'), 'refresh-rejected')
    // The session has ended, so nothing more can be sent for it: the counts are final here.
    const after = await counts(page)
    assert.equal(after.refresh - before.refresh, 1)
    assert.equal(after.data - before.data, 1)
    await shot('restart.png', page)
  },

  async 'idle: the warning takes focus and wants an answer, then the logout'({
    context,
    url,
    shot,
  }) {
    const page = await signedInPage(context, url, { clock: true })
    await page.mouse.move(5, 5)
    await context.clock.fastForward(91_000) // idle 120 s, warning 30 s before
    await page.getByTestId('idle-dialog').waitFor()
    await shot('idle-warning.png', page)
    // the dialog takes focus, so a keyboard user answers it with Enter
    await until(
      () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'stay'),
      'the focus on "Stay signed in"',
    )
    await page.keyboard.press('Enter')
    await page.getByTestId('idle-dialog').waitFor({ state: 'detached' })
    await expectText(page, 'status', 'authenticated')
    // the pointer wandering (reaching for the button) is not an answer (the demo sets idleConfirm)…
    await context.clock.fastForward(91_000)
    await page.getByTestId('idle-dialog').waitFor()
    await page.mouse.move(200, 300)
    await page.mouse.move(220, 320)
    // …so with no answer, the logout follows the warning
    await context.clock.fastForward(31_000)
    await expectText(page, 'status', 'unauthenticated')
    assert.equal(await page.getByTestId('reason').getAttribute('data-reason'), 'idle')
    await shot('idle-logout.png', page)
  },

  async 'a payment round trip: still signed in'({ context, url, shot }) {
    const page = await signedInPage(context, url)
    await page.getByTestId('payment').click()
    await page.getByTestId('return').waitFor()
    assert.match(page.url(), /payment\.html$/)
    await shot('payment-page.png', page)
    await page.getByTestId('return').click()
    await expectText(page, 'payment-back', 'still signed in')
    await expectText(page, 'status', 'authenticated')
    await shot('payment-back.png', page)
  },
}
