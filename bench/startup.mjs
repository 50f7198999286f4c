// Start-up: from createSessionKeeper to an authenticated snapshot, restoring a stored session
// (one decrypt and MAC check, no network).
const RUNS = 300

export async function runStartup(lib, check) {
  const items = new Map()
  const storage = {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
  }
  const options = {
    baseURL: 'http://api.test',
    storage,
    secret: 'bench-secret-0123456789abcdef',
    crossTab: false,
    healthInterval: false,
    verifyOnRestore: false,
    environment: { window: null, document: null, openChannel: null, locks: null },
  }
  const seed = lib.createSessionKeeper({
    ...options,
    http: {
      // the keeper's own auth calls go through `request` (the sign-in is the only one here)
      request: async () => ({
        data: {
          access_token: 'a'.repeat(800),
          refresh_token: 'r'.repeat(400),
          expires_in: 900,
          user: { id: 1, name: 'Bench User', roles: ['a', 'b'] },
        },
      }),
      defaults: {},
      interceptors: { request: { use() {}, eject() {} }, response: { use() {}, eject() {} } },
    },
  })
  await seed.login({})
  const times = []
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    const keeper = lib.createSessionKeeper(options)
    keeper.start()
    const ok = keeper.getSnapshot().status === 'authenticated'
    times.push(performance.now() - t0)
    keeper.destroy()
    if (!ok) throw new Error('restore failed')
  }
  times.sort((a, b) => a - b)
  const row = {
    runs: RUNS,
    'median ms': times[RUNS >> 1].toFixed(3),
    'p95 ms': times[Math.floor(RUNS * 0.95)].toFixed(3),
  }
  console.log(
    '\nStart-up: createSessionKeeper + start() → authenticated snapshot from a stored session',
  )
  console.table([row])
  check('start-up median ≤ 5 ms', times[RUNS >> 1] <= 5, row['median ms'])
}
