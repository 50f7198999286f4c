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
    <div className="card" data-testid="settings">
      <h2>Timings</h2>
      <p className="muted small">
        Kept in this browser: this tab applies them by reloading, other tabs on their next load.
      </p>
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
              name={key}
              value={values[key]}
              onChange={(e) => setValues({ ...values, [key]: Number(e.target.value) })}
            />
          </label>
        ))}
        <button type="submit">Apply and reload</button>
      </form>
    </div>
  )
}
