/*!
 * `irda dump` of a large capture against `tshark -r` on the same file in the same run: CPU
 * time (user + system) and peak RSS of each as a child process, measured by /usr/bin/time,
 * each writing its lines into a pipe.
 * The capture is the demo's own exchange (discovery, IAS, TinyTP connect, IrCOMM echo, RR
 * polls, disconnect) captured once by the emulator and repeated with advancing timestamps
 * until it holds the frames asked for. Not a test:
 *   node --import tsx --conditions=irdakit-source test/bench/dump.ts [frames]   # default 1,000,000
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { PcapWriter, readPcap } from '@irdakit/capture'
import { BenchSkipped, type BenchRow } from '../../packages/cli/src/bench/index.js'

const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const IRDA = ['--import', 'tsx', '--conditions=irdakit-source', 'packages/cli/src/main.ts']

/** Writes a capture of `frames` frames to `path`: the demo's exchange, repeated. */
export function makeCapture (path: string, frames: number, dir: string): void {
  const demo = join(dir, 'demo.pcap')
  execFileSync(process.execPath, [...IRDA, 'demo', '--pcap', demo, '--bytes', '3000', '--speed', '115200', '--quiet'], { cwd: repoRoot, stdio: 'pipe' })
  const r = readPcap(demo)
  if (!r.ok) throw new Error(`demo capture unreadable: ${r.error}`)
  const cycle = r.value
  const span = cycle[cycle.length - 1].timestampMs + 10
  const w = new PcapWriter(path)
  for (let n = 0; n < frames; n++) {
    const rec = cycle[n % cycle.length]
    w.write({ ...rec, timestampMs: rec.timestampMs + Math.floor(n / cycle.length) * span })
  }
  w.close()
}

export interface ChildCost { cpuS: number, peakMB: number }

/**
 * Runs a command with its output going through a pipe to `cat > /dev/null` (as into a pager or
 * grep: a pipe has its own costs, a file or /dev/null has none); its CPU seconds (user +
 * system) and peak RSS in MB, as /usr/bin/time reports them.
 */
function measureChild (cmd: string, args: string[], dir: string): ChildCost {
  const stats = join(dir, 'time.txt')
  const script = 'f=$1; shift; /usr/bin/time -o "$f" -f "%x %U %S %M" "$@" | cat > /dev/null'
  const r = spawnSync('sh', ['-c', script, 'sh', stats, cmd, ...args], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' })
  const [status, user, sys, maxKb] = readFileSync(stats, 'utf8').trim().split('\n').pop()!.split(' ').map(Number)
  if (r.status !== 0 || status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${status}): ${r.stderr.slice(0, 500)}`)
  return { cpuS: user + sys, peakMB: maxKb / 1024 }
}

const has = (cmd: string, args: string[]): boolean => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0

/**
 * The CLI as an installed `irda` runs it: built by the repository's own `npm run build` (tsc -b,
 * incremental), started through bin/irda.js. Running from source through tsx costs more than a
 * second of start-up and makes the same code slower, so that figure is kept apart.
 */
function buildCli (): string[] {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.build.json'], { cwd: repoRoot, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`npm run build failed, so the built CLI cannot be measured: ${(r.stdout + r.stderr).slice(0, 500)}`)
  return ['packages/cli/bin/irda.js']
}

export interface DumpBenchResult {
  frames: number
  /** The built CLI, as installed. */
  dump: ChildCost
  dumpJson: ChildCost
  /** The same from source through tsx (npm run irda). */
  dumpSource: ChildCost
  /** Undefined when tshark is missing (`tsharkMissing` says how to get it). */
  tshark?: ChildCost
  tsharkMissing?: string
}

/** Measures `irda dump` (built, and from source), `irda dump --json` and `tshark -r` on one capture of `frames` frames. */
export function dumpBench (frames = 1_000_000, log: (line: string) => void = () => {}): DumpBenchResult {
  if (!has('/usr/bin/time', ['-f', '%U', 'true'])) throw new BenchSkipped('the dump bench measures children with /usr/bin/time (apt-get install -y time)')
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-dump-bench-'))
  try {
    const pcap = join(dir, 'big.pcap')
    makeCapture(pcap, frames, dir)
    const irda = buildCli()
    const show = (label: string, c: ChildCost): void => log(`${label.padEnd(26)} ${c.cpuS.toFixed(2).padStart(7)} s CPU ${c.peakMB.toFixed(0).padStart(5)} MB peak`)
    const dump = measureChild(process.execPath, [...irda, 'dump', pcap], dir)
    show('irda dump', dump)
    const dumpJson = measureChild(process.execPath, [...irda, 'dump', '--json', pcap], dir)
    show('irda dump --json', dumpJson)
    const dumpSource = measureChild(process.execPath, [...IRDA, 'dump', pcap], dir)
    show('irda dump (from source)', dumpSource)
    if (!has('tshark', ['--version'])) return { frames, dump, dumpJson, dumpSource, tsharkMissing: 'no tshark (apt-get install -y tshark)' }
    const tshark = measureChild('tshark', ['-r', pcap], dir)
    show('tshark -r', tshark)
    return { frames, dump, dumpJson, dumpSource, tshark }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Memory the issue allows a dump of any size. */
const MEMORY_BOUND_MB = 200

/** The rows for `npm run bench`: 1M frames, 50,000 with --quick. */
export async function dumpRows (opts: { quick: boolean }): Promise<BenchRow[]> {
  const r = dumpBench(opts.quick ? 50_000 : 1_000_000)
  const n = r.frames.toLocaleString('en-US')
  const rows: BenchRow[] = []
  const t = r.tshark
  if (t !== undefined) {
    rows.push({ bench: 'dump', case: `irda dump of ${n} frames vs tshark -r, CPU time, through a pipe`, value: r.dump.cpuS, unit: 's CPU', ratio: t.cpuS / r.dump.cpuS, against: `tshark ${t.cpuS.toFixed(2)} s CPU, ${t.peakMB.toFixed(0)} MB`, target: 1.5, measure: 'dump-tshark' })
    rows.push({ bench: 'dump', case: `irda dump from source (tsx, not built) of ${n} frames vs tshark -r`, value: r.dumpSource.cpuS, unit: 's CPU', ratio: t.cpuS / r.dumpSource.cpuS, against: `tshark ${t.cpuS.toFixed(2)} s CPU` })
  }
  const note = r.tsharkMissing !== undefined ? `not compared with tshark: ${r.tsharkMissing}` : undefined
  rows.push({ bench: 'dump', case: `irda dump of ${n} frames, peak memory`, value: r.dump.peakMB, unit: 'MB', ratio: MEMORY_BOUND_MB / r.dump.peakMB, against: `${MEMORY_BOUND_MB} MB bound`, target: 1, measure: 'dump-tshark', ...(note !== undefined ? { note } : {}) })
  rows.push({ bench: 'dump', case: `irda dump --json of ${n} frames (a record per line), peak memory; ${r.dumpJson.cpuS.toFixed(2)} s CPU`, value: r.dumpJson.peakMB, unit: 'MB', ratio: MEMORY_BOUND_MB / r.dumpJson.peakMB, against: `${MEMORY_BOUND_MB} MB bound`, target: 1, measure: 'dump-json' })
  return rows
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const frames = Number(process.argv[2] ?? 1_000_000)
  const r = dumpBench(frames, console.log)
  if (r.tshark !== undefined) console.log(`  irda dump is ${(r.tshark.cpuS / r.dump.cpuS).toFixed(2)}x tshark's speed (CPU time, ${frames} frames, same run; from source ${(r.tshark.cpuS / r.dumpSource.cpuS).toFixed(2)}x)`)
  else console.log(`  ${r.tsharkMissing}`)
}
