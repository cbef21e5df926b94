/*!
 * The packages as a user gets them (issue 14): packs every workspace package with `npm pack`,
 * installs the tarballs into an empty project in a temporary directory (nothing of this repo
 * beside it, no @irdakit package from the registry), then runs there the README's "stack in a
 * few lines", the umbrella's exports, `irda demo`, `irda dongles` and `irda discover --port <a
 * socat pty> --dongle none` against an `irda demo --responder` on the other end.
 *   npm run build && npm run test:pack      (.ci/run does this; about a minute)
 * Prints one line per check and `pack: N passed, N failed, N skipped`; exit 1 on a failure.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const work = mkdtempSync(join(tmpdir(), 'irdakit-pack-'))
const tarballs = join(work, 'tarballs')
const app = join(work, 'app')
const counts = { passed: 0, failed: 0, skipped: 0 }
const keep = process.argv.includes('--keep')

/** No colour in what we parse; npm's own `npm_*` settings of this script's run stay out of the child npm. */
const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'FORCE_COLOR' && !k.startsWith('npm_')))
env.NO_COLOR = '1'

function run (cmd: string, args: string[], cwd: string, timeoutMs = 300_000): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: timeoutMs, env })
}

function check (name: string, ok: boolean, detail = ''): void {
  counts[ok ? 'passed' : 'failed']++
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${ok || detail === '' ? '' : `\n     ${detail.trim().split('\n').slice(-15).join('\n     ')}`}`)
}

/** The README's "A stack in a few lines" code block, as the program a user would paste. */
function readmeExample (): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const m = /## A stack in a few lines\s+```ts\n([\s\S]*?)```/.exec(readme)
  if (m === null) throw new Error('README.md has no "A stack in a few lines" ts block')
  return m[1]
}

async function main (): Promise<void> {
  if (!existsSync(join(root, 'packages/cli/dist/main.js'))) throw new Error('nothing built: run `npm run build` first')
  mkdirSync(tarballs)
  mkdirSync(app)

  const pack = run('npm', ['pack', '--workspaces', '--pack-destination', tarballs, '--silent'], root)
  const files = readdirSync(tarballs).filter(f => f.endsWith('.tgz'))
  check(`npm pack --workspaces: ${files.length} tarballs`, pack.status === 0 && files.some(f => f.startsWith('irdakit-')), pack.stderr)

  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'irdakit-pack-check', private: true, type: 'module' }, null, 2))
  const install = run('npm', ['install', '--no-audit', '--no-fund', ...files.map(f => join(tarballs, f))], app)
  check('npm install of the tarballs into an empty project', install.status === 0, install.stderr)
  if (install.status !== 0) return
  const fromRegistry = readFileSync(join(app, 'package-lock.json'), 'utf8').match(/"resolved": "https:[^"]*@irdakit[^"]*"/)
  check('no @irdakit package came from the registry', fromRegistry === null, fromRegistry?.[0] ?? '')

  writeFileSync(join(app, 'readme-example.mjs'), readmeExample())
  const example = run(process.execPath, ['readme-example.mjs'], app, 60_000)
  check('README "A stack in a few lines" runs and echoes hello', example.status === 0 && example.stdout.trim() === 'hello', example.stderr + example.stdout)

  const umbrella = run(process.execPath, ['--input-type=module', '-e', "import * as i from 'irdakit'; const r = new i.Room({ time: 'virtual' }); const s = i.IrdaStack.create({ port: r.port('a'), nickname: 'a' }); await r.close(); console.log(typeof i.lap.IrlapStation, i.dongleProfiles().length, typeof s.discover)"], app, 60_000)
  check('import from the umbrella package irdakit', umbrella.status === 0 && /^function \d+ function$/.test(umbrella.stdout.trim()), umbrella.stderr + umbrella.stdout)

  const irda = join(app, 'node_modules/.bin/irda')
  const demo = run(irda, ['demo', '--quiet'], app, 120_000)
  check('irda demo', demo.status === 0 && /identical/.test(demo.stdout), demo.stderr + demo.stdout)

  const dongles = run(irda, ['dongles', '--json'], app, 60_000)
  const profiles = dongles.status === 0 ? (JSON.parse(dongles.stdout) as { profiles: Array<{ name: string }> }).profiles.map(p => p.name) : []
  check(`irda dongles (${profiles.length} profiles, found inside the installed @irdakit/serial)`, profiles.includes('none') && profiles.includes('tekram'), dongles.stderr + dongles.stdout)

  await discoverOnPty(irda)
}

/** `irda discover --port <pty> --dongle none` with `irda demo --responder` on the other end of a socat pair. */
async function discoverOnPty (irda: string): Promise<void> {
  if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).status !== 0) {
    counts.skipped++
    console.log('skip irda discover on a pty: socat not found (apt-get install -y socat)')
    return
  }
  const a = join(work, 'ptyA')
  const b = join(work, 'ptyB')
  const socat = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: 'ignore' })
  let responder: ReturnType<typeof spawn> | undefined
  try {
    for (let i = 0; i < 100 && !(existsSync(a) && existsSync(b)); i++) await new Promise(resolve => { setTimeout(resolve, 50) })
    responder = spawn(irda, ['demo', '--port', b, '--dongle', 'none', '--responder'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let said = ''
    responder.stdout?.on('data', (d: Buffer) => { said += String(d) })
    for (let i = 0; i < 200 && !/echoing IrDA:IrCOMM on/.test(said); i++) await new Promise(resolve => { setTimeout(resolve, 50) })
    const found = run(irda, ['discover', '--port', a, '--dongle', 'none', '--json'], app, 60_000)
    const devices = found.status === 0 ? (JSON.parse(found.stdout) as { devices: Array<{ nickname: string }> }).devices.map(d => d.nickname) : []
    check(`irda discover --port <socat pty> --dongle none (found ${JSON.stringify(devices)})`, devices.includes('Aladin Smart'), found.stderr + found.stdout + said)
  } finally {
    responder?.kill('SIGINT')
    if (responder !== undefined && responder.exitCode === null) await new Promise(resolve => { responder?.once('exit', resolve); setTimeout(resolve, 3000) })
    socat.kill()
  }
}

try {
  await main()
} catch (e) {
  check('pack check', false, String((e as Error).stack ?? e))
} finally {
  if (keep) console.log(`kept ${work}`)
  else rmSync(work, { recursive: true, force: true })
}
console.log(`pack: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`)
process.exitCode = counts.failed > 0 ? 1 : 0
