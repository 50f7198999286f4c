// Issue 17 in real Chromium: two tabs of one browser (one storage, one BroadcastChannel) must agree
// on who is signed in, however the sign-out in one and the sign-in in another interleave.
import assert from 'node:assert/strict'
import { expectText, openTab, seeded, shown, signIn, signedInPage, until } from './helpers.mjs'

const NAMES = { ada: 'Ada Lovelace', grace: 'Grace Hopper' }
const FOLLOW_MS = 2_000

/** Resolves when the tab shows `name` signed in; rejects after FOLLOW_MS. */
const follows = (page, name, what) =>
  until(
    async () => {
      const s = await shown(page)
      return s.status === 'authenticated' && s.user === name
    },
    what,
    FOLLOW_MS,
  )

export const crossTabScenarios = {
  async 'sign out in B, sign in in A 0-700 ms later, 20 rounds: B follows within 2 s'({
    context,
    url,
    shot,
  }) {
    const seed = Number(process.env.E2E_SEED ?? Math.floor(Math.random() * 2 ** 31))
    console.log(`    seed ${seed} (E2E_SEED=${seed} replays these gaps)`)
    const gap = seeded(seed)
    const a = await signedInPage(context, url, { as: 'ada' })
    const b = await openTab(context, url)
    await follows(b, NAMES.ada, 'B restoring the session')
    const misses = []
    for (let round = 1; round <= 20; round++) {
      const user = round % 2 ? 'grace' : 'ada' // alternate, so "the same user" means something
      const ms = Math.round(gap() * 700)
      // The user signs out in B, switches to A (B goes to the background), and signs in there.
      await b.bringToFront()
      await b.getByTestId('sign-out').click()
      const out = Date.now()
      await a.bringToFront()
      // The gap is the scenario's input, waited in real time (page.waitForTimeout): the bug lives
      // in how Chromium delivers storage writes between renderers, which a fake clock cannot move.
      await a.waitForTimeout(Math.max(0, ms - (Date.now() - out)))
      await signIn(a, user) // the click waits for A's form: A follows B's sign-out first
      try {
        await follows(b, NAMES[user], `B to follow A's sign-in (round ${round})`)
      } catch {
        const seen = await shown(b)
        misses.push(`round ${round} (gap ${ms} ms): B shows ${seen.status} ${seen.user ?? ''}`)
        if (misses.length === 1) await shot('cross-tab-b-behind.png', b)
        // Start the next round from two tabs on one session again.
        await b.reload()
        await follows(b, NAMES[user], `B on ${user} after a reload (round ${round})`)
      }
    }
    assert.deepEqual(misses, [], `B stayed behind in ${misses.length} of 20 rounds (seed ${seed})`)
  },

  async 'account switch with another tab open (idle, then busy), reload both, open a third: the new account everywhere'({
    context,
    url,
    shot,
  }) {
    const a = await signedInPage(context, url, { as: 'ada' })
    const b = await openTab(context, url)
    await follows(b, NAMES.ada, 'B restoring the session')
    const wrong = []
    const check = async (page, tab) => {
      try {
        await follows(page, NAMES[to], `${tab} on ${to}`)
      } catch {
        const s = await shown(page)
        wrong.push(`${round} ${tab}: ${s.status} ${s.user ?? ''}`.trim())
      }
    }
    let to, round
    // Round 1 with B idle; round 2 with B's main thread busy for 300 ms as the switch happens (a
    // heavy render, a background tab), so B handles A's sign-out only after A's new sign-in.
    for (const busyMs of [0, 300]) {
      round = busyMs ? 'B busy:' : 'B idle:'
      to = busyMs ? 'ada' : 'grace'
      const busy = b.evaluate((ms) => {
        const end = performance.now() + ms
        while (performance.now() < end);
      }, busyMs)
      await a.bringToFront() // a background tab's frames are throttled: Playwright's clicks wait
      await a.getByTestId('switch').click() // sign out, then at once sign in as the other user
      await expectText(a, 'user', NAMES[to])
      await busy
      await check(b, 'B after the switch')
      await Promise.all([a.reload(), b.reload()])
      await check(a, 'A after a reload')
      await check(b, 'B after a reload')
      const c = await openTab(context, url)
      await check(c, 'a new tab')
      if (busyMs) await shot('account-switch-new-tab.png', c)
      await c.close()
      if (wrong.length) break // the tabs disagree: the next round would start from nowhere
    }
    assert.deepEqual(wrong, [], 'every tab, and the next page, on the new account')
  },
}
