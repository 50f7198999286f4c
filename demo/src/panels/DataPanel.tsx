import { useState } from 'react'
import { useKeeper } from 'session-keeper/react'
import { Burst } from './Burst'

export function DataPanel() {
  const keeper = useKeeper()
  const [items, setItems] = useState<Array<{ id: number; name: string }> | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function load() {
    setError(null)
    try {
      setItems((await keeper.http.get('/api/data')).data.items)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'failed')
    }
  }

  return (
    <div className="card">
      <h2>Protected data</h2>
      <div className="row">
        <button onClick={() => void load()} data-testid="load-data">
          Load data
        </button>
      </div>
      {items && (
        <ul className="items" data-testid="items">
          {items.map((i) => (
            <li key={i.id}>{i.name}</li>
          ))}
        </ul>
      )}
      {error && <p className="error">{error}</p>}
      <h3 className="sub">Twenty at once</h3>
      <Burst />
    </div>
  )
}
