#!/usr/bin/env node
// Copies the repository's hardware/ (dongle profiles, their schema, the README) into this
// package, so an installed @irdakit/serial carries the profiles it reads. hardware/ at the
// repository root stays the single source; packages/serial/src/hardware-copy.test.ts fails
// when the copy is stale. Run from anywhere: npm run sync:hardware
import { cpSync, existsSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const from = fileURLToPath(new URL('../../../hardware/', import.meta.url))
const to = fileURLToPath(new URL('../hardware/', import.meta.url))
if (!existsSync(from)) {
  // Packing from an unpacked tarball (no repository around it): the copy is all there is.
  console.log(`sync-hardware: no ${from}; keeping the package's own copy`)
} else {
  rmSync(to, { recursive: true, force: true })
  cpSync(from, to, { recursive: true })
  console.log(`sync-hardware: copied ${from} to ${to}`)
}
