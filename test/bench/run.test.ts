import { expect } from 'chai'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('npm run bench (test/bench/run.ts)', function () {
  this.timeout(120000)
  it('runs a registered bench (--quick), prints its ratio table and writes the rows as JSON where INIT_CWD says', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-bench-'))
    try {
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'test/bench/run.ts', 'lap-goodput', '--quick', '--json', 'out.json'],
        { cwd: root, env: { ...process.env, INIT_CWD: dir } })
      expect(stdout).to.match(/^bench\s+case\s+value\s+ratio\s+against/m)
      expect(stdout).to.match(/lap-goodput\s+115200 b\/s/)
      const json = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { quick: boolean, rows: Array<{ bench: string, ratio: number }> }
      expect(json.quick).to.equal(true)
      expect(json.rows.map(r => r.bench)).to.deep.equal(Array(8).fill('lap-goodput'))
      for (const r of json.rows) expect(r.ratio).to.be.greaterThan(0.9)
      expect(stdout).not.to.match(/^page:/m) // a partial or quick run leaves docs/benchmarks.md alone
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it('renders a saved run into a page and its plots with --render and --md, measuring nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'irdakit-bench-'))
    try {
      const run = { date: '2026-12-04T03:00:00.000Z', node: 'v20', machine: 'test', quick: false, missing: [], rows: [{ bench: 'lap-goodput', case: '115200 b/s', value: 11.28, unit: 'kB/s', ratio: 1, against: 'ideal', bps: 115200 }] }
      writeFileSync(join(dir, 'run.json'), JSON.stringify(run))
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=irdakit-source', 'test/bench/run.ts', '--render', 'run.json', '--md', 'page.md'],
        { cwd: root, env: { ...process.env, INIT_CWD: dir } })
      expect(stdout).not.to.match(/^bench\s+case/m)
      expect(readFileSync(join(dir, 'page.md'), 'utf8')).to.include('| lap-goodput | 115200 b/s | 11.28 kB/s | 1.0000 | ideal |')
      expect(existsSync(join(dir, 'benchmarks/goodput-speed.svg')) && existsSync(join(dir, 'benchmarks/goodput-ber.svg'))).to.equal(true)
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
