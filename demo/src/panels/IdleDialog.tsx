import { useEffect, useRef } from 'react'
import { useIdleWarning } from 'session-keeper/react'
import { countdown, useNow } from '../hooks'

export function IdleDialog() {
  const { warning, logoutAt, stayActive } = useIdleWarning()
  if (!warning || logoutAt === null) return null
  return <Dialog logoutAt={logoutAt} stayActive={stayActive} />
}

function Dialog({ logoutAt, stayActive }: { logoutAt: number; stayActive: () => void }) {
  const now = useNow(500)
  const stay = useRef<HTMLButtonElement>(null)
  // A modal takes focus (so a keyboard or screen-reader user lands on its answer) and gives it
  // back where it was when it closes.
  useEffect(() => {
    const before = document.activeElement
    stay.current?.focus()
    return () => {
      if (before instanceof HTMLElement && before.isConnected) before.focus()
    }
  }, [])
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="idle-title"
        aria-describedby="idle-text"
        data-testid="idle-dialog"
      >
        <h2 id="idle-title">Are you still there?</h2>
        <p id="idle-text">
          For your security you will be signed out in <strong>{countdown(logoutAt - now)}</strong>.
        </p>
        <button ref={stay} onClick={stayActive} data-testid="stay">
          Stay signed in
        </button>
      </div>
    </div>
  )
}
