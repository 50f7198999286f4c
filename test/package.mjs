// Package correctness: build, publint, attw, then `npm pack` installed into an empty folder with
// its peers, where all four entries must import (ESM and CJS) in plain Node without touching
// window, document, storage or navigator, and type-check under node16 resolution.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const run = (cmd, args, cwd = root) =>
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' })
const step = (name, fn) => {
  process.stdout.write(`package: ${name} … `)
  fn()
  process.stdout.write('ok\n')
}

step('build', () => run('npx', ['vite', 'build', '--logLevel', 'error']))
step('publint', () => {
  const out = run('npx', ['publint', '--strict'])
  if (/error|warning/i.test(out)) throw new Error(out)
})
step('attw', () => run('npx', ['attw', '--pack', '.', '--profile', 'node16']))

const dir = mkdtempSync(join(tmpdir(), 'sk-pack-'))
try {
  step('pack + install in an empty folder', () => {
    run('npm', ['pack', '--pack-destination', dir, '--silent'])
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'))
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    )
    run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        `./${tarball}`,
        'axios@1',
        'react@19',
        '@types/react@19',
        'msw@2.15',
      ],
      dir,
    )
  })
  // Dependencies may probe (crypto-js and axios test \`typeof window\`); our own code must not
  // touch these at all, so an access is refused when a frame of session-keeper's dist made it (the frame right below the getter).
  const guard = `
    for (const name of ['window', 'document', 'localStorage', 'sessionStorage', 'navigator']) {
      Object.defineProperty(globalThis, name, { configurable: true, get() {
        if (/session-keeper[\\/]dist/.test(new Error().stack.split('\\n')[2])) throw new Error('session-keeper touched ' + name + ' at import')
        return undefined
      } })
    }`
  step('ESM import of every entry in plain Node', () => {
    writeFileSync(
      join(dir, 'esm.mjs'),
      `${guard}
      const core = await import('session-keeper')
      const react = await import('session-keeper/react')
      const testing = await import('session-keeper/testing')
      const backends = await import('session-keeper/backends')
      if (typeof core.createSessionKeeper !== 'function' || typeof react.AuthProvider !== 'function' || typeof testing.createMockAuthApi !== 'function') throw new Error('missing exports')
      if (backends.simpleJwt().refresh('r').url !== '/api/token/refresh/') throw new Error('bad backends export')
      const keeper = core.createSessionKeeper({ storage: 'memory' })
      if (keeper.getSnapshot().status !== 'loading') throw new Error('bad snapshot')
      testing.createMockAuthApi({ baseURL: 'http://api.test' })
    `,
    )
    run('node', ['esm.mjs'], dir)
  })
  step('CJS require of every entry', () => {
    writeFileSync(
      join(dir, 'cjs.cjs'),
      `${guard}
      const core = require('session-keeper'); require('session-keeper/react'); require('session-keeper/testing')
      if (typeof require('session-keeper/backends').oauth2 !== 'function') throw new Error('bad backends export')
      if (!(new core.SessionError('config', 'x') instanceof Error)) throw new Error('bad export')
    `,
    )
    run('node', ['cjs.cjs'], dir)
  })
  step('types resolve under node16', () => {
    writeFileSync(
      join(dir, 'types.mts'),
      `
      import { createSessionKeeper, type SessionSnapshot } from 'session-keeper'
      import { AuthProvider, useAuth } from 'session-keeper/react'
      import { createMockAuthApi } from 'session-keeper/testing'
      import { oauth2, type SessionBackend } from 'session-keeper/backends'
      const backend: SessionBackend<unknown, { username: string; password: string }> = oauth2({ tokenPath: '/t', clientId: 'c' })
      const keeper = createSessionKeeper<{ name: string }>({ storage: 'memory' })
      const snap: SessionSnapshot<{ name: string }> = keeper.getSnapshot()
      if (snap.status === 'authenticated') snap.user?.name.toUpperCase()
      void [AuthProvider, useAuth, createMockAuthApi, backend]
    `,
    )
    const compilerOptions = {
      strict: true,
      noEmit: true,
      module: 'node16',
      moduleResolution: 'node16',
      skipLibCheck: false,
      types: [],
      lib: ['ES2022', 'DOM'],
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({ compilerOptions, files: ['types.mts'] }),
    )
    try {
      run(join(root, 'node_modules/.bin/tsc'), ['-p', '.'], dir)
    } catch (e) {
      throw new Error(String(e.stdout) + String(e.stderr))
    }
  })
} finally {
  rmSync(dir, { recursive: true, force: true })
}
