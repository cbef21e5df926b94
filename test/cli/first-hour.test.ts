/*!
 * Issue 14, a newcomer's first hour: `npm run irda` reads relative paths from where the user
 * typed it, emulated serve/recv leave nothing behind, and `npx irda` works before a build.
 */
import { expect } from 'chai'
import { spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot } from './run-irda.js'

// Made in before(), not at load: mocha first require()s this file, which fails at
// import.meta.resolve below after running everything above it, then imports it again.
let dir = ''
let n = 0
const fresh = (name: string): string => { const d = join(dir, `${name}-${++n}`); mkdirSync(d); return d }

/** `npm run <script> -- args` typed in `cwd`, as a user in a subdirectory of the checkout would. */
function npmRun (cwd: string, script: string, args: string[]): SpawnSyncReturns<string> {
  return spawnSync('npm', ['--prefix', repoRoot, 'run', '--silent', script, '--', ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '' } })
}

/** tsx's loader as a URL: `--import tsx` would be looked up from the child's directory. */
const tsx = import.meta.resolve('tsx')

/** The source runner, started in `cwd` (no npm around it). */
function irdaIn (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ['--import', tsx, '--conditions=irdakit-source', join(repoRoot, 'packages/cli/src/main.ts'), ...args],
    { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '', ...env } })
}

describe('irda for a newcomer (issue 14)', function () {
  this.timeout(120_000)
  before(() => { dir = mkdtempSync(join(tmpdir(), 'irdakit-first-hour-')) })
  after(() => { rmSync(dir, { recursive: true, force: true }) })

  describe('npm run irda / npm run demo read relative paths from where they were typed', () => {
    it('demo --pcap and dump <file> use the directory of the command, not the repository root', () => {
      const here = fresh('cwd')
      const demo = npmRun(here, 'demo', ['--bytes', '300', '--pcap', 'rel.pcap', '--quiet'])
      expect(demo.status, demo.stderr).to.equal(0)
      expect(existsSync(join(here, 'rel.pcap')), 'the pcap is where the user stands').to.equal(true)
      expect(existsSync(join(repoRoot, 'rel.pcap')), 'nothing written at the repository root').to.equal(false)
      const dump = npmRun(here, 'irda', ['dump', 'rel.pcap', '--json'])
      expect(dump.status, dump.stderr).to.equal(0)
      expect((JSON.parse(dump.stdout) as { frames: number }).frames).to.be.greaterThan(10)
    })

    it('only under our npm scripts: a program started by another script keeps its own directory', () => {
      const here = fresh('own')
      const r = irdaIn(here, ['demo', '--bytes', '300', '--pcap', 'mine.pcap', '--quiet'], { INIT_CWD: repoRoot, npm_lifecycle_event: 'test' })
      expect(r.status, r.stderr).to.equal(0)
      expect(existsSync(join(here, 'mine.pcap'))).to.equal(true)
    })
  })

  describe('emulated serve and recv leave nothing behind', () => {
    it('run twice in a row in the same directory, both succeed and the directory stays empty', () => {
      const here = fresh('litter')
      for (let i = 0; i < 2; i++) {
        const served = irdaIn(here, ['serve'])
        expect(served.status, served.stderr).to.equal(0)
        expect(served.stdout).to.match(/-> memory:emulated\.bin/)
        expect(served.stderr + served.stdout).to.match(/kept in memory, nothing written \(--dir <dir> writes it\)/)
        const got = irdaIn(here, ['recv'])
        expect(got.status, got.stderr).to.equal(0)
        expect(got.stdout).to.match(/4096 bytes .* -> memory:emulated\.bin/)
      }
      expect(readdirSync(here)).to.deep.equal([])
    })

    it('still write where told: serve --dir and recv --out', () => {
      const here = fresh('told')
      expect(irdaIn(here, ['serve', '--dir', '.']).status).to.equal(0)
      expect(irdaIn(here, ['recv', '--out', 'got.bin']).status).to.equal(0)
      expect(readdirSync(here).sort()).to.deep.equal(['emulated.bin', 'got.bin'])
    })
  })

  describe('the irda binary before npm run build', () => {
    /** A copy of packages/cli with its bin and source but no dist/, as a fresh clone has. */
    function unbuiltCli (withModules: boolean): string {
      const cli = fresh('cli')
      mkdirSync(join(cli, 'bin'))
      copyFileSync(join(repoRoot, 'packages/cli/bin/irda.js'), join(cli, 'bin/irda.js'))
      copyFileSync(join(repoRoot, 'packages/cli/package.json'), join(cli, 'package.json'))
      symlinkSync(join(repoRoot, 'packages/cli/src'), join(cli, 'src'))
      if (withModules) symlinkSync(join(repoRoot, 'node_modules'), join(cli, 'node_modules'))
      return cli
    }

    it('runs the source through tsx when the repository has it, from any directory', () => {
      const cli = unbuiltCli(true)
      const r = spawnSync(process.execPath, [join(cli, 'bin/irda.js'), 'dongles', '--json'], { cwd: fresh('elsewhere'), encoding: 'utf8', timeout: 60_000 })
      expect(r.status, r.stderr).to.equal(0)
      expect((JSON.parse(r.stdout) as { profiles: unknown[] }).profiles.length).to.be.greaterThanOrEqual(12)
    })

    it('says what to run, in one line, when it cannot', () => {
      const cli = unbuiltCli(false)
      const r = spawnSync(process.execPath, [join(cli, 'bin/irda.js'), 'demo'], { cwd: cli, encoding: 'utf8', timeout: 60_000 })
      expect(r.status).to.equal(2)
      expect(r.stderr).to.equal('irda: the CLI is not built: run `npm run build` in the irdakit repository (or `npm run irda -- <command>` to run it from source)\n')
    })
  })
})
