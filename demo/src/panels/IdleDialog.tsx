import { useIdleWarning } from 'session-keeper/react'
import { countdown, useNow } from '../hooks'

export function IdleDialog() {
  const { warning, logoutAt, stayActive } = useIdleWarning()
  if (!warning || logoutAt === null) return null
  return <Dialog logoutAt={logoutAt} stayActive={stayActive} />
}

function Dialog({ logoutAt, stayActive }: { logoutAt: number; stayActive: () => void }) {
  const now = useNow(500)
  return (
    <div className="overlay">
      <div
        className="dialog"
        role="alertdialog"
        aria-labelledby="idle-title"
        data-testid="idle-dialog"
      >
        <h2 id="idle-title">Are you still there?</h2>
        <p>
          For your security you will be signed out in <strong>{countdown(logoutAt - now)}</strong>.
        </p>
        <button onClick={stayActive} data-testid="stay">
          Stay signed in
        </button>
      </div>
    </div>
  )
}
