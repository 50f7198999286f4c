import { useState } from 'react'
import { loadSettings, saveSettings, type DemoSettings } from '../settings'

const FIELDS: Array<[keyof DemoSettings, string]> = [
  ['accessTtlS', 'Access token lifetime (s)'],
  ['idleTimeoutS', 'Idle timeout (s)'],
  ['idleWarningS', 'Idle warning (s)'],
  ['healthIntervalS', 'Health check interval (s)'],
]

export function SettingsPanel() {
  const [values, setValues] = useState(loadSettings)
  return (
    <details className="card">
      <summary>
        <h2>Timings</h2>
      </summary>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault()
          saveSettings(values)
          location.reload()
        }}
      >
        {FIELDS.map(([key, label]) => (
          <label key={key}>
            {label}
            <input
              type="number"
              min={1}
              value={values[key]}
              onChange={(e) => setValues({ ...values, [key]: Number(e.target.value) })}
            />
          </label>
        ))}
        <button type="submit">Apply and reload</button>
      </form>
    </details>
  )
}
