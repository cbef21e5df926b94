import { expect } from 'chai'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Every file under `dir`, as paths relative to it, sorted. */
function files (dir: string): string[] {
  const out: string[] = []
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      if (statSync(p).isDirectory()) walk(p)
      else out.push(relative(dir, p))
    }
  }
  walk(dir)
  return out.sort()
}

describe('serial: the shipped copy of hardware/', () => {
  const source = fileURLToPath(new URL('../../../hardware/', import.meta.url))
  const copy = fileURLToPath(new URL('../hardware/', import.meta.url))

  it('holds exactly the files of the repository\'s hardware/, byte for byte (else: npm run sync:hardware)', () => {
    expect(files(copy), 'file list; run npm run sync:hardware').to.deep.equal(files(source))
    for (const f of files(source)) {
      expect(readFileSync(join(copy, f)).equals(readFileSync(join(source, f))), `${f} differs; run npm run sync:hardware`).to.equal(true)
    }
  })
})
