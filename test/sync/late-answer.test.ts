// A keeper destroyed while its refresh is on the way, on a page that stays open: a provider
// remounted with a new keeper, a hot module reload. The server has rotated the refresh token by
// the time the answer arrives, so the answer must not be lost with the keeper. (A closed page
// loses it, as a browser does: see the reuse grace in the README.)
import { beforeEach, expect, it, vi } from 'vitest'
import { ADA, pass, settle, useMockApi } from '../harness.js'
import { browser } from '../tabs.js'

// No reuse grace, as SimpleJWT with its blacklist: a spent refresh token sent again is refused.
const { api, makeKeeper } = useMockApi({ accessTtlMs: 120_000, reuseGraceMs: 0 })
beforeEach(() => void vi.useFakeTimers())

async function destroyedMidRefresh() {
  const b = browser({ webLocks: true, storageLagMs: 40 })
  const page = b.tab()
  const first = makeKeeper(page.options)
  first.start()
  const other = makeKeeper(b.tab().options)
  other.start()
  await settle(first.login(ADA))
  await pass(1000)
  api().setLatency('refresh', 3_000)
  api().resetCounts()
  const late = first.refresh().catch((e: unknown) => e)
  await vi.advanceTimersByTimeAsync(100)
  first.destroy()
  return { b, page, other, late }
}

it('the next keeper on the page, and the other tabs, take the tokens of a refresh answered after destroy(): nobody is signed out', async () => {
  const { b, page, other, late } = await destroyedMidRefresh()
  const next = makeKeeper(page.options) // the same page: its window, storage and lock client
  next.start()
  expect(next.getSnapshot().status).toBe('authenticated')
  await pass(5_000) // the answer arrives
  await late
  api().setLatency('refresh', 0)
  for (const k of [next, other]) {
    await settle(k.refresh())
    expect(k.getSnapshot().status).toBe('authenticated')
  }
  const reopened = makeKeeper(b.tab().options)
  reopened.start()
  await settle(reopened.refresh())
  expect(reopened.getSnapshot().status).toBe('authenticated')
  expect(api().counts.refresh).toBe(3)
})

it('a refresh answered after destroy() does not bring back a sign-in that ended meanwhile', async () => {
  const { b, other, late } = await destroyedMidRefresh()
  await settle(other.logout())
  await pass(5_000)
  await late
  expect(other.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
  const reopened = makeKeeper(b.tab().options)
  reopened.start()
  expect(reopened.getSnapshot()).toMatchObject({ status: 'unauthenticated' })
})

it('a refresh answered after destroy() does not replace the sign-in another tab made meanwhile', async () => {
  const { b, other, late } = await destroyedMidRefresh()
  await settle(other.login({ username: 'grace', password: 'hopper' }))
  // to the moment the answer arrives: no later write has put Grace back yet
  await vi.advanceTimersByTimeAsync(2_500)
  await settle(late, 1, 1_000)
  const reopened = makeKeeper(b.tab().options)
  reopened.start()
  for (const k of [other, reopened])
    expect(k.getSnapshot()).toMatchObject({ user: { username: 'grace' } })
})
