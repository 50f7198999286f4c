import { describe, expect, it } from 'vitest'
import { createEnvelope } from '../../src/storage/envelope.js'
import { MemoryStorage, SECRET, recordEvents, useMockApi } from '../harness.js'

const { api, makeKeeper } = useMockApi()
const KEY = 'session-keeper'

/** A storage holding a real session written by a logged-in keeper. */
async function storedSession() {
  const storage = new MemoryStorage()
  await makeKeeper({ storage }).login({ username: 'ada', password: 'lovelace' })
  return { storage, blob: storage.getItem(KEY)! }
}

/** Starts a keeper over `storage` and returns what it saw. */
function restore(storage: MemoryStorage) {
  const keeper = makeKeeper({ storage, verifyOnRestore: true })
  const events = recordEvents(keeper)
  const before = { ...api().counts }
  expect(() => keeper.start()).not.toThrow()
  return { keeper, events, before }
}

const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1)
const seal = (payload: unknown, slot = KEY) =>
  createEnvelope(SECRET, slot).seal(JSON.stringify(payload))
const valid = {
  accessToken: 'opaque-token',
  refreshToken: null,
  expiresAt: null,
  issuedAt: 1,
  user: null,
  startedAt: 1,
  lastActivity: 1,
  rev: 1,
}

describe('storage faults end in unauthenticated + storageError, never an exception', () => {
  const cases: Array<[string, (blob: string) => string, string]> = [
    ['a flipped byte in the ciphertext', (b) => flip(b, b.indexOf('.', 5) + 3), 'tampered'],
    ['a flipped byte in the IV', (b) => flip(b, 6), 'tampered'],
    ['a flipped byte in the MAC', (b) => flip(b, b.length - 2), 'tampered'],
    ['a truncated blob', (b) => b.slice(0, b.length - 10), 'tampered'],
    ['a blob cut before the MAC', (b) => b.slice(0, b.lastIndexOf('.')), 'corrupt'],
    ['garbage', () => 'not a session', 'corrupt'],
    ['an unknown version', (b) => 'sk9' + b.slice(3), 'unsupported-version'],
    ['a blob copied from another slot', () => seal(valid, 'other-slot'), 'tampered'],
    ['a valid MAC over nonsense JSON', () => createEnvelope(SECRET, KEY).seal('{nope'), 'corrupt'],
    ['a valid MAC over a NaN expiry', () => seal({ ...valid, expiresAt: 'NaN' }), 'corrupt'],
    [
      'a valid MAC over a missing token',
      () => seal({ ...valid, accessToken: undefined }),
      'corrupt',
    ],
    ['a valid MAC over an array', () => seal([1, 2]), 'corrupt'],
  ]

  it.each(cases)('%s', async (_name, corrupt, reason) => {
    const { storage, blob } = await storedSession()
    storage.setItem(KEY, corrupt(blob))
    const { keeper, events, before } = restore(storage)
    expect(keeper.getSnapshot().status).toBe('unauthenticated')
    expect(events).toContainEqual({ type: 'storageError', reason })
    expect(storage.getItem(KEY)).toBeNull()
    // nothing read from the bad blob reaches the server
    await Promise.resolve()
    expect(api().counts).toEqual(before)
  })

  it('a wrong key is tampering', async () => {
    const { storage } = await storedSession()
    const keeper = makeKeeper({ storage, secret: 'another-secret-0123456789' })
    const events = recordEvents(keeper)
    keeper.start()
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'tampered' })
    expect(events).toEqual([{ type: 'storageError', reason: 'tampered' }])
  })

  it('the session survives a slot that cannot be written (quota), in memory', async () => {
    const storage = new MemoryStorage()
    storage.setItem = () => {
      throw Object.assign(new Error('full'), { name: 'QuotaExceededError' })
    }
    const keeper = makeKeeper({ storage })
    const events = recordEvents(keeper)
    keeper.start()
    await keeper.login({ username: 'ada', password: 'lovelace' })
    expect(keeper.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada' },
    })
    expect(events).toContainEqual({ type: 'storageError', reason: 'quota' })
    expect((await keeper.http.get('/api/data')).data.user).toBe('ada')
  })

  it('a write failing for another reason is unavailable', async () => {
    const storage = new MemoryStorage()
    const keeper = makeKeeper({ storage })
    keeper.start()
    storage.setItem = () => {
      throw new Error('SecurityError')
    }
    const events = recordEvents(keeper)
    await keeper.login({ username: 'ada', password: 'lovelace' })
    expect(keeper.getSnapshot().status).toBe('authenticated')
    expect(events).toContainEqual({ type: 'storageError', reason: 'unavailable' })
  })

  it('web storage that throws on access falls back to memory', async () => {
    const broken = {
      getItem: () => {
        throw new Error('SecurityError: access denied')
      },
      setItem: () => {
        throw new Error('SecurityError: access denied')
      },
      removeItem: () => {
        throw new Error('SecurityError: access denied')
      },
    }
    const keeper = makeKeeper({ storage: broken })
    const events = recordEvents(keeper)
    keeper.start()
    expect(events).toEqual([{ type: 'storageError', reason: 'unavailable' }])
    await keeper.login({ username: 'ada', password: 'lovelace' })
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })

  it("storage: 'local' with no localStorage in this runtime falls back to memory", async () => {
    const keeper = makeKeeper({ storage: 'local' })
    const events = recordEvents(keeper)
    keeper.start()
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    expect(events).toEqual([{ type: 'storageError', reason: 'unavailable' }])
    await keeper.login({ username: 'ada', password: 'lovelace' })
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })
})

describe('envelope', () => {
  it('writes a fresh IV every time', () => {
    const codec = createEnvelope(SECRET, KEY)
    const a = codec.seal('same'),
      b = codec.seal('same')
    expect(a).not.toBe(b)
    expect(codec.open(a)).toEqual({ ok: true, plaintext: 'same' })
    expect(codec.open(b)).toEqual({ ok: true, plaintext: 'same' })
  })

  it('round-trips UTF-8', () => {
    const codec = createEnvelope(SECRET, KEY)
    const text = JSON.stringify({ name: 'Zoë 🚀 名前' })
    expect(codec.open(codec.seal(text))).toEqual({ ok: true, plaintext: text })
  })
})
