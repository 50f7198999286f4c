import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { StrictMode, useState } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { AuthProvider, useDeadlines, useIdleWarning } from '../../src/react/index.js'
import { ADA, settle, useMockApi } from '../harness.js'

const { makeKeeper } = useMockApi({}, { dom: true })
afterEach(cleanup)

/** m:ss, rounded up as a countdown shows it. */
const clock = (ms: number | null) =>
  ms === null
    ? '-'
    : `${Math.floor(Math.ceil(ms / 1000) / 60)}:${String(Math.ceil(ms / 1000) % 60).padStart(2, '0')}`

function Countdown() {
  const { idleLogoutIn, absoluteLogoutIn, refreshIn } = useDeadlines()
  return (
    <p data-testid="left">{`${clock(idleLogoutIn)} ${clock(absoluteLogoutIn)} ${clock(refreshIn)}`}</p>
  )
}

let siblingRenders = 0
function Sibling() {
  siblingRenders++
  return <p>header</p>
}

function Page() {
  const [shown, setShown] = useState(true)
  return (
    <>
      <Sibling />
      {shown && <Countdown />}
      <button onClick={() => setShown(!shown)}>toggle</button>
    </>
  )
}

const tick = (ms = 1_000) => act(() => vi.advanceTimersByTimeAsync(ms))
const left = () => screen.getByTestId('left').textContent

describe('useDeadlines', () => {
  it('counts down from the real timeouts, every second, re-rendering only its own component', async () => {
    vi.useFakeTimers()
    const keeper = makeKeeper({
      idleTimeout: 120_000,
      absoluteTimeout: 600_000,
      idleWarning: 30_000,
    })
    keeper.start()
    await settle(keeper.login(ADA)) // access token 15 min: refresh due 1 min before
    render(
      <StrictMode>
        <AuthProvider keeper={keeper}>
          <Page />
        </AuthProvider>
      </StrictMode>,
    )
    expect(left()).toBe('2:00 10:00 14:00') // not 2:03: the clock is read at render
    const before = siblingRenders
    await tick()
    expect(left()).toBe('1:59 9:59 13:59')
    await tick(59_000)
    expect(left()).toBe('1:00 9:00 13:00')
    expect(siblingRenders).toBe(before) // 60 ticks, none of them outside the countdown

    // activity moves the idle deadline without a session change: the next tick shows it
    fireEvent.pointerMove(window)
    await tick()
    expect(left()).toBe('1:59 8:59 12:59') // not 0:59
  })

  it('stops ticking when unmounted, and when the user signs out', async () => {
    vi.useFakeTimers()
    const keeper = makeKeeper({ idleTimeout: 120_000 })
    keeper.start()
    await settle(keeper.login(ADA))
    const idle = vi.getTimerCount() // the keeper's own timers
    render(
      <StrictMode>
        <AuthProvider keeper={keeper}>
          <Page />
        </AuthProvider>
      </StrictMode>,
    )
    expect(vi.getTimerCount()).toBe(idle + 1) // one interval, even under StrictMode's double mount
    fireEvent.click(screen.getByText('toggle')) // unmount the countdown
    expect(vi.getTimerCount()).toBe(idle)
    fireEvent.click(screen.getByText('toggle'))
    expect(vi.getTimerCount()).toBe(idle + 1)
    await act(() => keeper.logout())
    expect(left()).toBe('- - -')
    await tick(5_000)
    const timersSignedOut = vi.getTimerCount()
    fireEvent.click(screen.getByText('toggle'))
    expect(vi.getTimerCount()).toBe(timersSignedOut) // signed out: it had no interval left
  })

  it('ticks at the given period', async () => {
    vi.useFakeTimers()
    const keeper = makeKeeper({ idleTimeout: 120_000 })
    keeper.start()
    await settle(keeper.login(ADA))
    function Fast() {
      return <p data-testid="left">{useDeadlines({ tickMs: 250 }).idleLogoutIn}</p>
    }
    render(
      <AuthProvider keeper={keeper}>
        <Fast />
      </AuthProvider>,
    )
    await tick(250)
    expect(left()).toBe('119750')
    await tick(100) // between ticks: nothing re-renders
    expect(left()).toBe('119750')
  })
})

describe('useIdleWarning with idleConfirm', () => {
  function Dialog() {
    const { warning, stayActive, confirmRequired } = useIdleWarning()
    return warning ? (
      <div role="alertdialog">
        {confirmRequired ? 'press the button to stay' : 'move to stay'}
        <button onClick={stayActive}>Stay signed in</button>
      </div>
    ) : null
  }
  const open = () => screen.queryByRole('alertdialog')
  /** A signed-in keeper (2 min idle timeout, 30 s warning) with the dialog rendered. */
  async function showDialog(idleConfirm: boolean, strict = false) {
    vi.useFakeTimers()
    const keeper = makeKeeper({ idleTimeout: 120_000, idleWarning: 30_000, idleConfirm })
    keeper.start()
    await settle(keeper.login(ADA))
    const tree = (
      <AuthProvider keeper={keeper}>
        <Dialog />
      </AuthProvider>
    )
    render(strict ? <StrictMode>{tree}</StrictMode> : tree)
    return keeper
  }

  it('a pointer move during the warning does not end it; Stay signed in does', async () => {
    const keeper = await showDialog(true, true)
    await tick(91_000)
    expect(open()?.textContent).toContain('press the button to stay')
    fireEvent.pointerMove(window) // reaching for the button
    fireEvent.keyDown(document)
    await tick(2_000)
    expect(open()).not.toBeNull()
    fireEvent.click(screen.getByText('Stay signed in'))
    expect(open()).toBeNull()
    await tick(60_000) // the idle period restarted
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it('without answering, the pointer moves do not keep the user signed in', async () => {
    const keeper = await showDialog(true)
    await tick(91_000)
    for (let i = 0; i < 10; i++) {
      fireEvent.pointerMove(window)
      await tick(3_000)
    }
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
    expect(open()).toBeNull()
  })

  it('a device woken inside the warning window shows the warning: the wake itself is not the answer', async () => {
    const keeper = await showDialog(true)
    // the laptop sleeps with the page open (no timer fires) and wakes 95 s later, inside the
    // warning window: the browser fires visibilitychange and focus, the user moves the mouse
    vi.setSystemTime(Date.now() + 95_000)
    act(() => {
      document.dispatchEvent(new Event('visibilitychange'))
      fireEvent.focus(window)
      fireEvent.pointerMove(window)
    })
    expect(open()?.textContent).toContain('press the button to stay')
    await tick(26_000) // nobody answers
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'idle' })
  })

  it('without idleConfirm, a pointer move ends the warning (the default)', async () => {
    await showDialog(false)
    await tick(91_000)
    expect(open()?.textContent).toContain('move to stay')
    fireEvent.pointerMove(window)
    expect(open()).toBeNull()
  })
})
