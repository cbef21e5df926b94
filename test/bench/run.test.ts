import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('npm run bench (test/bench/run.ts)', function () {
  this.timeout(120000)
  it('runs a registered bench, prints its ratio table and writes the rows as JSON where INIT_CWD says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-bench-'))
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'test/bench/run.ts', 'lap-goodput', '--json', 'out.json'],
        { cwd: root, env: { ...process.env, INIT_CWD: dir } })
      expect(stdout).to.match(/^bench\s+case\s+value\s+ratio\s+against/m)
      expect(stdout).to.match(/lap-goodput\s+115200 b\/s/)
      const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { rows: Array<{ bench: string, ratio: number }> }
      expect(json.rows.map(r => r.bench)).to.deep.equal(['lap-goodput', 'lap-goodput', 'lap-goodput'])
      for (const r of json.rows) expect(r.ratio).to.be.greaterThan(0.9)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('refuses an unknown bench with its usage and exit code 2', async () => {
    const err = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'test/bench/run.ts', 'nope'], { cwd: root })
      .then(() => undefined, (e: { code: number, stderr: string }) => e)
    expect(err?.code).to.equal(2)
    expect(err?.stderr).to.match(/usage: npm run bench/)
  })
})
