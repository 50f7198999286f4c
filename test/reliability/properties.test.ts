import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeJwt, defaultMapAuthResponse } from '../../src/index.js'
import { expiryOf, isSession } from '../../src/core/tokens.js'
import { createEnvelope } from '../../src/storage/envelope.js'
import { MemoryStorage, createSessionStore } from '../../src/storage/store.js'

const SECRET = 'property-secret-0123456789'
const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : String(JSON.stringify(v))).toString('base64url')

describe('the envelope', () => {
  it('never throws on arbitrary input, and opens nothing it did not seal', () => {
    const codec = createEnvelope(SECRET, 'slot')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string({ unit: 'binary' }),
          fc.constantFrom('sk1....', 'sk1.a.b.c', 'sk0.x'),
        ),
        (blob) => {
          expect(codec.open(blob).ok).toBe(false)
        },
      ),
      { numRuns: 2_000 },
    )
  })

  it('refuses every edit of a sealed blob: substitutions, cuts and insertions', () => {
    const codec = createEnvelope(SECRET, 'slot')
    const blob = codec.seal(JSON.stringify({ accessToken: 'x', user: { name: 'Zoë' } }))
    const edit = fc.oneof(
      fc.record({
        kind: fc.constant('sub' as const),
        at: fc.nat(),
        ch: fc.string({ minLength: 1, maxLength: 1 }),
      }),
      fc.record({
        kind: fc.constant('cut' as const),
        at: fc.nat(),
        n: fc.integer({ min: 1, max: 20 }),
      }),
      fc.record({
        kind: fc.constant('ins' as const),
        at: fc.nat(),
        text: fc.string({ minLength: 1, maxLength: 8 }),
      }),
    )
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 4 }), (edits) => {
        let b = blob
        for (const e of edits) {
          const at = e.at % (b.length + 1)
          b =
            e.kind === 'sub'
              ? b.slice(0, at) + e.ch + b.slice(at + 1)
              : e.kind === 'cut'
                ? b.slice(0, at) + b.slice(at + e.n)
                : b.slice(0, at) + e.text + b.slice(at)
        }
        fc.pre(b !== blob)
        expect(codec.open(b).ok).toBe(false)
      }),
      { numRuns: 2_000 },
    )
  })

  it('binds a blob to its slot and its key', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 16 }),
        (a, b, otherKey) => {
          fc.pre(a !== b && otherKey !== SECRET)
          const blob = createEnvelope(SECRET, a).seal('{"v":1}')
          expect(createEnvelope(SECRET, a).open(blob).ok).toBe(true)
          expect(createEnvelope(SECRET, b).open(blob).ok).toBe(false)
          expect(createEnvelope(otherKey, a).open(blob).ok).toBe(false)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('the store never throws, whatever the slot holds', () => {
    const storage = new MemoryStorage()
    const store = createSessionStore(storage, 'slot', createEnvelope(SECRET, 'slot'), true)
    const codec = createEnvelope(SECRET, 'slot')
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json().map((j) => codec.seal(j)),
        ),
        (value) => {
          storage.setItem('slot', value)
          const read = store.read()
          if (read.ok) expect(isSession(read.session, true)).toBe(true)
        },
      ),
      { numRuns: 1_000 },
    )
  })
})

describe('token parsing', () => {
  const jwtish = fc
    .tuple(
      fc.oneof(fc.string(), fc.json().map(b64url)),
      fc.oneof(fc.string(), fc.json().map(b64url), fc.anything().map(b64url)),
      fc.string(),
    )
    .map(([h, p, s]) => `${h}.${p}.${s}`)

  it('never throws on arbitrary tokens, and finds either a payload object or none', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), jwtish),
        fc.anything(),
        fc.integer({ min: 0, max: 4e12 }),
        (token, expiresIn, now) => {
          const claims = decodeJwt(token)
          expect(claims === null || (typeof claims === 'object' && !Array.isArray(claims))).toBe(
            true,
          )
          const expiry = expiryOf(token, expiresIn as number, now)
          expect(expiry === null || Number.isFinite(expiry)).toBe(true)
          // a lifetime is positive and sane (at most ten years)
          if (expiry !== null) expect(expiry - now).toBeGreaterThan(0)
          if (expiry !== null) expect(expiry - now).toBeLessThanOrEqual(10 * 365 * 24 * 3600 * 1000)
        },
      ),
      { numRuns: 3_000 },
    )
  })

  it('never throws on arbitrary response bodies', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.record({
            access_token: fc.anything(),
            expires_in: fc.anything(),
            user: fc.anything(),
          }),
        ),
        (body) => {
          const r = defaultMapAuthResponse(body)
          if (r) {
            expect(typeof r.accessToken).toBe('string')
            expect(r.expiresIn === null || (Number.isFinite(r.expiresIn) && r.expiresIn! > 0)).toBe(
              true,
            )
          }
        },
      ),
      { numRuns: 3_000 },
    )
  })
})
