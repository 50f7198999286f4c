/** Demo timings, kept in localStorage so every tab (and the next visit) uses the same. */
export interface DemoSettings {
  accessTtlS: number
  idleTimeoutS: number
  idleWarningS: number
  healthIntervalS: number
}

const KEY = 'sk-demo-settings'
export const defaults: DemoSettings = {
  accessTtlS: 30,
  idleTimeoutS: 120,
  idleWarningS: 30,
  healthIntervalS: 20,
}

export function loadSettings(): DemoSettings {
  try {
    return {
      ...defaults,
      ...(JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<DemoSettings>),
    }
  } catch {
    return defaults
  }
}

export function saveSettings(settings: DemoSettings): void {
  localStorage.setItem(KEY, JSON.stringify(settings))
}
