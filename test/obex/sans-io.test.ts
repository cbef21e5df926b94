/*!
 * The OBEX codecs and sessions are sans-I/O like the protocol layers: they import only each other
 * and @irdakit/core, and never read a clock or set a timer (the transport, stores and client API
 * around them may).
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

const SRC = fileURLToPath(new URL('../../packages/obex/src/', import.meta.url))
const PURE = ['constants.ts', 'errors.ts', 'headers.ts', 'packet.ts', 'session.ts', 'client.ts', 'server.ts', 'folder-listing.ts', 'names.ts']

describe('obex/sans-io: codecs and sessions touch no I/O and no clock', () => {
  for (const file of PURE) {
    it(file, () => {
      const code = readFileSync(SRC + file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '')
      const imports = [...code.matchAll(/\bfrom\s+'([^']+)'/g)].map(m => m[1])
      for (const i of imports) expect(i, `${file} imports ${i}`).to.match(/^(\.\/[\w-]+\.js|@irdakit\/core)$/)
      expect(code).to.not.match(/\bDate\s*\.\s*now\b|\bnew\s+Date\s*\(|\bset(Timeout|Interval|Immediate)\s*\(|\bperformance\s*\.\s*now\b|Math\s*\.\s*random/)
    })
  }
})
