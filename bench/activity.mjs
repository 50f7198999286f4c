// Activity: the cost the tracker adds to each DOM event (against the same dispatch with a no-op
// listener), and how many snapshot changes 10,000 events cause (budget 0: React never re-renders
// for activity).
const EVENTS = 200_000

function dispatchAll(target, n) {
  const event = new Event('pointermove')
  const t0 = performance.now()
  for (let i = 0; i < n; i++) target.dispatchEvent(event)
  return ((performance.now() - t0) * 1e6) / n // ns
}

export async function runActivity(lib, check) {
  const window = new EventTarget()
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' })
  const keeper = lib.createSessionKeeper({
    baseURL: 'http://api.test',
    storage: 'memory',
    crossTab: false,
    healthInterval: false,
    verifyOnRestore: false,
    environment: { window, document, openChannel: null, locks: null },
    http: {
      post: async () => ({ data: { access_token: 'a', expires_in: 3600 } }),
      interceptors: { request: { use() {}, eject() {} }, response: { use() {}, eject() {} } },
    },
  })
  keeper.start()
  await keeper.login({})
  let changes = 0
  keeper.subscribe(() => changes++)
  const baseline = new EventTarget()
  baseline.addEventListener('pointermove', () => {}, { passive: true })
  dispatchAll(baseline, 20_000)
  dispatchAll(window, 20_000)
  const base = dispatchAll(baseline, EVENTS)
  const ours = dispatchAll(window, EVENTS)
  changes = 0
  for (let i = 0; i < 10_000; i++) window.dispatchEvent(new Event('pointermove'))
  keeper.destroy()
  const row = {
    'no-op listener ns/event': base.toFixed(0),
    'session-keeper ns/event': ours.toFixed(0),
    'added ns/event': Math.max(0, ours - base).toFixed(0),
    'snapshot changes / 10,000 events': changes,
  }
  console.log(`\nActivity: ${EVENTS} pointermove events on a started keeper's window target`)
  console.table([row])
  check('snapshot changes per 10,000 events = 0', changes === 0, changes)
  check(
    'activity costs ≤ 4× a no-op listener per event',
    ours / base <= 4,
    (ours / base).toFixed(2),
  )
}
