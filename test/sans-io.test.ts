/*!
 * The protocol packages (phy, lap, lmp, ttp) are sans-I/O: time comes in as `now`, randomness as
 * an injected `Random`, bytes in and out as values. This test reads their sources and fails,
 * listing file:line, on any import of Node I/O or serial modules or any use of the wall clock,
 * real timers or Math.random. Comments are ignored, so docs may name what they avoid.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PROTOCOL_PACKAGES = ['phy', 'lap', 'lmp', 'ttp', 'ircomm']

const IO_MODULES = ['fs', 'net', 'timers', 'child_process', 'dgram', 'http', 'https', 'http2', 'tls', 'os', 'worker_threads', 'perf_hooks']
const MODULE = `(?:node:)?(?:${IO_MODULES.join('|')})(?:/[\\w/]*)?|serialport|@serialport/[\\w-]+`
const RULES: Array<{ what: string, re: RegExp }> = [
  { what: 'imports a Node I/O or serial module', re: new RegExp(`(?:\\bfrom\\s*|\\bimport\\s*\\(?\\s*|\\brequire\\s*\\(\\s*)['"](?:${MODULE})['"]`) },
  { what: 'reads the wall clock (Date.now)', re: /\bDate\s*\.\s*now\b/ },
  { what: 'reads the wall clock (new Date)', re: /\bnew\s+Date\s*\(/ },
  { what: 'uses a real timer', re: /\b(?:setTimeout|setInterval|setImmediate)\s*\(/ },
  { what: 'reads the wall clock (performance.now)', re: /\bperformance\s*\.\s*now\b/ },
  { what: 'reads the wall clock (process.hrtime)', re: /\bprocess\s*\.\s*hrtime\b/ },
  { what: 'uses Math.random (inject a Random)', re: /\bMath\s*\.\s*random\b/ },
]

export interface Violation { file: string, line: number, what: string, text: string }

/** Blanks out comments (keeping line breaks), so only code is scanned. */
export function stripComments (src: string): string {
  let out = ''
  let i = 0
  let quote = ''
  while (i < src.length) {
    const c = src[i]
    const next = src[i + 1]
    if (quote !== '') {
      out += c
      if (c === '\\') { out += next ?? ''; i += 2; continue }
      if (c === quote) quote = ''
      i++
    } else if (c === '/' && next === '/') {
      while (i < src.length && src[i] !== '\n') { out += ' '; i++ }
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2)
      const stop = end < 0 ? src.length : end + 2
      out += src.slice(i, stop).replace(/[^\n]/g, ' ')
      i = stop
    } else {
      if (c === '\'' || c === '"' || c === '`') quote = c
      out += c
      i++
    }
  }
  return out
}

/** Every rule broken in `src`, by line. */
export function scanSource (file: string, src: string): Violation[] {
  const found: Violation[] = []
  stripComments(src).split('\n').forEach((line, idx) => {
    for (const r of RULES) {
      if (r.re.test(line)) found.push({ file, line: idx + 1, what: r.what, text: line.trim() })
    }
  })
  return found
}

function sourceFiles (dir: string): string[] {
  let entries
  try { entries = readdirSync(dir, { withFileTypes: true }) } catch { return [] }
  return entries.flatMap(e => {
    const p = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(p)
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : []
  })
}

describe('sans-I/O: protocol packages do no I/O and read no clock', () => {
  it('the scanner catches each kind of violation and ignores comments', () => {
    const sample = [
      "import { readFileSync } from 'node:fs'",
      "import * as net from 'net'",
      "import { setTimeout as sleep } from 'node:timers/promises'",
      "import { SerialPort } from 'serialport'",
      "import { ReadlineParser } from '@serialport/parser-readline'",
      "const cp = await import('child_process')",
      'const t = Date.now()',
      'const d = new Date()',
      'setTimeout(() => {}, 10)',
      'const p = performance.now()',
      'const h = process.hrtime.bigint()',
      'const r = Math.random()',
      '// Date.now() and setTimeout( are fine in a comment',
      '/* Math.random() in a block comment, import x from "fs" */',
      "const s = 'http://example' // a URL in a string is not an import",
      "import { fcs16 } from '@irdakit/phy'",
    ].join('\n')
    const v = scanSource('sample.ts', sample)
    expect(v.map(x => x.line)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    expect(v[0]).to.deep.include({ file: 'sample.ts', line: 1, what: 'imports a Node I/O or serial module' })
  })

  for (const pkg of PROTOCOL_PACKAGES) {
    it(`packages/${pkg}/src has no I/O, timers, wall clock or Math.random`, () => {
      const files = sourceFiles(join(ROOT, 'packages', pkg, 'src'))
      expect(files.length, `sources of ${pkg}`).to.be.greaterThan(0)
      const violations = files.flatMap(f => scanSource(relative(ROOT, f), readFileSync(f, 'utf8')))
      expect(violations.map(v => `${v.file}:${v.line}: ${v.what}: ${v.text}`)).to.deep.equal([])
    })
  }
})
