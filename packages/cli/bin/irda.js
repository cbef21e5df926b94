#!/usr/bin/env node
// The `irda` command. Installed, it runs the built CLI (dist/). In a clone before `npm run build`
// there is no dist/ yet: it runs the TypeScript source through tsx (a devDependency of the
// repository), and says what to run when neither is there.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const built = new URL('../dist/main.js', import.meta.url)
const source = fileURLToPath(new URL('../src/main.ts', import.meta.url))

/** tsx's loader, found from this file (the user's directory may be anywhere), or undefined. */
function tsxLoader () {
  try { return import.meta.resolve('tsx') } catch { return undefined }
}
const tsx = existsSync(built) ? undefined : tsxLoader()

if (existsSync(built)) {
  await import(built.href)
} else if (existsSync(source) && tsx !== undefined) {
  const child = spawn(process.execPath, ['--import', tsx, '--conditions=irdakit-source', source, ...process.argv.slice(2)], { stdio: 'inherit' })
  // ^C reaches the child through the terminal; we wait for it to finish its summary.
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => { if (sig !== 'SIGINT') child.kill(sig) })
  child.on('exit', (code, signal) => { process.exitCode = code ?? (signal !== null ? 128 + 2 : 70) })
} else {
  process.stderr.write('irda: the CLI is not built: run `npm run build` in the irdakit repository (or `npm run irda -- <command>` to run it from source)\n')
  process.exitCode = 2
}
