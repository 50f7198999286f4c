// The leak check: collects every token the mock API hands out, and everything session-keeper
// produces that an app could log or show (snapshots, events, SessionError messages, console lines,
// cross-tab messages); after each file, no output may contain any token or any part of one.
import { afterAll, expect, vi } from 'vitest'
import { sessionEventTypes, type SessionKeeper } from '../src/index.js'

const issued = new Set<string>()
const outputs: Array<{ kind: string; text: string }> = []

/** Records the tokens a mocked auth response carries (body fields and Set-Cookie). */
export function watchIssuedTokens(server: {
  events: { on: (e: 'response:mocked', f: (a: { response: Response }) => void) => void }
}) {
  server.events.on('response:mocked', ({ response }) => {
    const cookie = response.headers.get('set-cookie')
    const m = cookie?.match(/sk_refresh=([^;]+)/)
    if (m?.[1]) issued.add(m[1])
    void response
      .clone()
      .json()
      .then((body: Record<string, unknown>) => {
        for (const k of ['access_token', 'refresh_token'])
          if (typeof body?.[k] === 'string') issued.add(body[k] as string)
      })
      .catch(() => {})
  })
}

const describeError = (e: unknown) =>
  e instanceof Error ? `${e.name}: ${e.message} ${JSON.stringify(e)}` : JSON.stringify(e)

/** Records what a keeper shows the app: snapshots, events and the errors its actions reject with. */
export function watchKeeper<U>(keeper: SessionKeeper<U>): void {
  keeper.subscribe(() =>
    outputs.push({ kind: 'snapshot', text: JSON.stringify(keeper.getSnapshot()) }),
  )
  for (const type of sessionEventTypes)
    keeper.on(type, (e) => {
      const error = (e as { error?: unknown }).error
      outputs.push({
        kind: `event ${type}`,
        text: JSON.stringify(e) + (error ? describeError(error) : ''),
      })
    })
  for (const name of ['login', 'register', 'logout', 'refresh', 'checkHealth'] as const) {
    const original = keeper[name] as (...a: unknown[]) => Promise<unknown>
    ;(keeper as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      original(...args).catch((error: unknown) => {
        // only our own errors: an API call's axios error belongs to the app
        if ((error as Error)?.name === 'SessionError')
          outputs.push({ kind: `${name} rejection`, text: describeError(error) })
        throw error
      })
  }
}

/** Records a cross-tab message. */
export const recordMessage = (data: unknown) =>
  outputs.push({ kind: 'cross-tab message', text: JSON.stringify(data) })

/** Captures console output for the file, and checks everything at its end. */
export function checkForLeaks(): void {
  for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[level].bind(console)
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
      outputs.push({
        kind: `console.${level}`,
        text: args.map((a) => (typeof a === 'string' ? a : describeError(a))).join(' '),
      })
      original(...args)
    })
  }
  afterAll(async () => {
    await new Promise((r) => setTimeout(r, 0)) // let the last response bodies be read
    // the token, and each of its JWT parts long enough to identify it
    const needles = [...issued].flatMap((t) => [t, ...t.split('.').filter((p) => p.length >= 16)])
    const hits = outputs.filter((o) => needles.some((n) => o.text.includes(n))).map((o) => o.kind)
    expect(issued.size, 'the leak check saw no tokens: it is not watching').toBeGreaterThan(0)
    expect(hits, 'token text in library output').toEqual([])
    // every output against every token: an exploration run of thousands of cases takes a while
  }, 300_000)
}
