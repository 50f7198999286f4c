import { version } from 'react'
import { version as domVersion } from 'react-dom'
import { expect, inject, it } from 'vitest'

// Proves each React project really runs the React it is named after.
it('runs against the React its project names', () => {
  const major = inject('reactMajor' as never) as unknown as string
  expect(version.split('.')[0]).toBe(major)
  expect(domVersion.split('.')[0]).toBe(major)
})
