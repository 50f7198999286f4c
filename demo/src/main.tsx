import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { AuthProvider } from 'session-keeper/react'
import { App } from './App'
import { keeper } from './keeper'
import { worker } from './server'
import './styles.css'

await worker.start({ onUnhandledRequest: 'bypass', quiet: true })

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider keeper={keeper}>
      <App />
    </AuthProvider>
  </StrictMode>,
)
