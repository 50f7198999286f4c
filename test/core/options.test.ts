import { describe, expect, it } from 'vitest'
import { createSessionKeeper, SessionError } from '../../src/index.js'

const configError = (options: object) => {
  try {
    createSessionKeeper(options as never)
  } catch (error) {
    return error
  }
  return null
}

describe('option validation', () => {
  it.each([
    ['a missing secret with persistent storage', {}, /secret is required/],
    ['a short secret', { secret: 'short' }, /at least 16/],
    ['an unknown storage', { secret: 'x'.repeat(16), storage: 'cookies' }, /storage must be/],
    [
      'a storage without methods',
      { secret: 'x'.repeat(16), storage: { getItem() {} } },
      /getItem, setItem/,
    ],
    ['a negative margin', { storage: 'memory', refreshMargin: -1 }, /refreshMargin/],
    ['a NaN idle timeout', { storage: 'memory', idleTimeout: NaN }, /idleTimeout/],
    ['an unknown credentials mode', { storage: 'memory', credentials: 'jwt' }, /credentials/],
    ['an empty storage key', { storage: 'memory', storageKey: '' }, /storageKey/],
  ])('refuses %s with a config SessionError', (_name, options, message) => {
    const error = configError(options)
    expect(error).toBeInstanceOf(SessionError)
    expect(error).toMatchObject({ code: 'config' })
    expect((error as Error).message).toMatch(message)
  })

  it('accepts any positive idleTimeout with the default warning, which takes at most half of it', () => {
    const keeper = createSessionKeeper({ storage: 'memory', idleTimeout: 30_000 })
    expect(keeper.timing).toMatchObject({ idleTimeout: 30_000, idleWarning: 15_000 })
    expect(createSessionKeeper({ storage: 'memory' }).timing.idleWarning).toBe(60_000)
    keeper.destroy()
  })

  it('accepts memory storage without a secret, and cookie mode without one', () => {
    expect(configError({ storage: 'memory' })).toBeNull()
    expect(configError({ credentials: 'cookie' })).toBeNull()
    expect(
      configError({
        storage: 'memory',
        idleTimeout: false,
        healthInterval: false,
        absoluteTimeout: false,
      }),
    ).toBeNull()
  })

  it('starts loading and touches nothing before start()', () => {
    const keeper = createSessionKeeper({ storage: 'memory' })
    expect(keeper.getSnapshot()).toEqual({ status: 'loading' })
    expect(keeper.getSnapshot()).toBe(keeper.getSnapshot())
  })
})
