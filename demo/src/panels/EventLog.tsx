import { useLayoutEffect, useState } from 'react'
import { sessionEventTypes, type SessionEvent } from 'session-keeper'
import { useKeeper } from 'session-keeper/react'

function describe(e: SessionEvent): string {
  switch (e.type) {
    case 'loggedOut':
      return `reason: ${e.reason}`
    case 'refreshFailed':
      return `${e.error.code}${e.retryInMs === null ? '' : `, retry in ${(e.retryInMs / 1000).toFixed(1)} s`}`
    case 'healthChecked':
      return `compatible: ${e.health.compatible}, authenticated: ${e.health.authenticated}`
    case 'storageError':
      return e.reason
    case 'synced':
      return `from ${e.from}`
    case 'idleWarning':
      return `logout at ${new Date(e.logoutAt).toLocaleTimeString()}`
    default:
      return ''
  }
}

// One counter for the page, outside any effect: StrictMode runs the effect twice, and a counter
// restarted by the second run would hand out keys the first run already used.
let nextId = 0

export function EventLog() {
  const keeper = useKeeper()
  const [log, setLog] = useState<Array<{ id: number; at: string; type: string; text: string }>>([])
  // A layout effect: a child's runs before AuthProvider's starts the keeper, so the restore from
  // storage (the `synced` event of a reload) is in the log too.
  useLayoutEffect(() => {
    const offs = sessionEventTypes.map((type) =>
      keeper.on(type, (e) =>
        setLog((l) =>
          [
            { id: ++nextId, at: new Date().toLocaleTimeString(), type: e.type, text: describe(e) },
            ...l,
          ].slice(0, 40),
        ),
      ),
    )
    return () => offs.forEach((off) => off())
  }, [keeper])
  return (
    <div className="card">
      <h2>Event log</h2>
      <ol className="log" data-testid="event-log">
        {log.length === 0 && <li className="muted">Events appear here as they happen.</li>}
        {log.map((l) => (
          <li key={l.id} data-id={l.id} data-type={l.type}>
            <span className="time">{l.at}</span> <code>{l.type}</code>{' '}
            <span className="muted">{l.text}</span>
          </li>
        ))}
      </ol>
    </div>
  )
}
