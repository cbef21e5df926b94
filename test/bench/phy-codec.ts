/*!
 * Micro benchmark of the SIR codec: wrap + unwrap (with FCS-16 both ways) of 2048-byte frames,
 * in MB/s of frame bytes, against peers measured in the same run: a C reference compiled on the
 * spot with `cc -O2` (test/bench/c/sir-ref.c: one byte at a time, as Linux's
 * async_wrap/async_unwrap do it), the same textbook codec in JavaScript, and the 275 MB/s of
 * plain JavaScript on Node 20 recorded on another machine (the project's performance anchors).
 * Two kinds of frames: random bytes (about 3 in 256 need escaping, as on a real link) and frames
 * whose every byte needs escaping (the worst case). Also MIR and FIR for scale.
 *
 * How it measures against C, the same for both sides: CPU time of the process (a busy machine
 * takes turns away from a process without charging it), the same 64 frames cycled, timed rounds
 * of the same 4096 round trips, ours and C's alternating and the two kinds of frames taking
 * turns, so load that comes and goes hits every figure alike. Each side's best of 15 rounds is
 * its figure (load only ever slows a round down), over three measuring processes (see
 * PROCESSES); the lowest and highest per-round ratio give the spread. Untimed warm-up: 2000 round trips before every round on both sides, and 12288
 * once for ours (the JIT's tiers). One C process per kind of frames serves all its rounds and
 * starts before anything is timed: starting a process forks this one, which then ran 10-60%
 * slower for a while (measured here: a round of 8192 right after a spawn).
 * Not a test:
 *   node --import tsx --conditions=irdakit-source test/bench/phy-codec.ts
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { SeededRandom } from '@irdakit/core'
import { createUnwrapper, sirWrap, SirUnwrapper, wrapForSpeed } from '@irdakit/phy'

const ANCHOR_MB_S = 275
const FRAME = 2048
const random = new SeededRandom(1)
/** Random frames: about 3 in 256 bytes need escaping, as on a real link. */
const randomFrames = Array.from({ length: 64 }, () => Uint8Array.from({ length: FRAME }, () => random.int(256)))
/** Frames of BOF, EOF and CE only: every byte is sent as two. */
const escapeFrames = Array.from({ length: 64 }, (_, k) => Uint8Array.from({ length: FRAME }, (_, i) => [0xC0, 0xC1, 0x7D][(i + k) % 3]))
const frames: Uint8Array[] = randomFrames

/** CPU time of this process in ms (all its threads: the JIT and the GC are part of the cost). */
function cpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** Round trips per timed round, the same count on both sides of a comparison (8 MiB of frames). */
const ROUND_TRIPS = 4096
/** Rounds per comparison, ours and the C reference's alternating. */
const ROUNDS = 15

/** MB/s of frame bytes per CPU second for `trips` round trips through the set, cycling through its frames. */
function timeRound (roundTrip: (f: Uint8Array) => number, set: Uint8Array[], trips = ROUND_TRIPS): number {
  let bytes = 0
  const start = cpuMs()
  for (let k = 0; k < trips; k++) bytes += roundTrip(set[k % set.length])
  return bytes / 1e6 / ((cpuMs() - start) / 1000)
}

/** Best of `rounds` rounds after a warm-up: load on the machine only ever slows a round down. */
function measure (label: string, roundTrip: (f: Uint8Array) => number, rounds = 5, log = console.log): number {
  timeRound(roundTrip, frames, 3 * ROUND_TRIPS) // warm up: the JIT's tiers settle
  let best = 0
  for (let k = 0; k < rounds; k++) best = Math.max(best, timeRound(roundTrip, frames, ROUND_TRIPS / 2))
  log(`${label.padEnd(34)} ${best.toFixed(0).padStart(5)} MB/s`)
  return best
}

/**
 * The peer: byte-at-a-time CRC table, escape and state machine into one scratch buffer each way.
 * With `owned`, it also hands out what our API hands out (the wire bytes and the received frame
 * as arrays of their own), so the two are compared under the same contract.
 */
function textbookCodec (owned: boolean): (f: Uint8Array) => number {
  const T = new Uint16Array(256)
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = (c & 1) !== 0 ? (c >>> 1) ^ 0x8408 : c >>> 1; T[n] = c }
  const wire = new Uint8Array(2 * (FRAME + 2) + 2)
  const rx = new Uint8Array(FRAME + 2)
  return f => {
    let o = 0
    const put = (b: number): void => { if (b === 0xC0 || b === 0xC1 || b === 0x7D) { wire[o++] = 0x7D; wire[o++] = b ^ 0x20 } else wire[o++] = b }
    wire[o++] = 0xC0
    let fcs = 0xFFFF
    for (let i = 0; i < f.length; i++) { fcs = (fcs >>> 8) ^ T[(fcs ^ f[i]) & 0xFF]; put(f[i]) }
    fcs ^= 0xFFFF
    put(fcs & 0xFF); put(fcs >>> 8)
    wire[o++] = 0xC1
    const sent = owned ? wire.slice(0, o) : wire
    let state = 0; let len = 0; let reg = 0xFFFF; let good = 0
    for (let i = 0; i < o; i++) {
      const b = sent[i]
      if (b === 0xC0) { state = 1; len = 0; reg = 0xFFFF } else if (state === 0) continue
      else if (b === 0xC1) { if (len >= 4 && reg === 0xF0B8) good = owned ? rx.slice(0, len - 2).length : len - 2; state = 0 } else if (b === 0x7D) state = 2
      else { const d = state === 2 ? b ^ 0x20 : b; state = 1; if (len < rx.length) { rx[len++] = d; reg = (reg >>> 8) ^ T[(reg ^ d) & 0xFF] } }
    }
    if (good !== f.length) throw new Error('textbook round trip failed')
    return good
  }
}

export interface CodecResult {
  sirMBs: number, peerMBs: number, peerScratchMBs: number, anchorMBs: number, mirMBs: number, firMBs: number
  /** Best rounds of runs alternating with the C reference; `c*` undefined when no C compiler (`cMissing` says why). */
  sirRandomMBs: number, cRandomMBs?: number, sirEscapedMBs: number, cEscapedMBs?: number, cMissing?: string
  /** Lowest and highest of the per-round ratios (ours / C, rounds paired in time order): the spread under load. */
  randomSpread?: [number, number], escapedSpread?: [number, number]
}

const C_SOURCE = fileURLToPath(new URL('./c/sir-ref.c', import.meta.url))

/** A C reference process serving timed rounds on one set of frames: a line in, a figure out. */
interface CRounds { round: () => Promise<number>, close: () => void }

/**
 * The C reference, compiled now with the machine's `cc -O2`, started once per set of frames
 * (before anything is timed: starting a process forks this one, which slows it for a while).
 * Each `round()` times its own warm-up and `ROUND_TRIPS` round trips, in MB/s. A string says
 * why there is no C reference (no C compiler).
 */
async function cReference (sets: Uint8Array[][]): Promise<{ servers: CRounds[], dispose: () => void } | string> {
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-bench-'))
  const exe = join(dir, 'sir-ref')
  try {
    await promisify(execFile)('cc', ['-O2', '-o', exe, C_SOURCE])
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    return `no C reference (cc -O2 failed: ${(err as Error).message.split('\n')[0]}; apt-get install -y gcc)`
  }
  const servers = sets.map((set, k): CRounds => {
    const file = join(dir, `frames-${k}.bin`)
    writeFileSync(file, Buffer.concat(set))
    const child = spawn(exe, [file, String(FRAME), String(ROUND_TRIPS)], { stdio: ['pipe', 'pipe', 'inherit'] })
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
    return {
      round: async () => {
        child.stdin.write('\n')
        const line = await lines.next()
        if (line.done === true) throw new Error('the C reference stopped (round trip failed?)')
        return Number(line.value)
      },
      close: () => { child.stdin.end() },
    }
  })
  return { servers, dispose: () => { for (const s of servers) s.close(); rmSync(dir, { recursive: true, force: true }) } }
}

interface VsC { ours: number, c?: number, spread?: [number, number] }

/**
 * Ours against the C reference on the same frames, for several sets at once: `ROUNDS` rounds
 * of `ROUND_TRIPS` round trips each, ours and C's alternating and the sets taking turns, so load
 * that comes and goes hits every figure alike; each side's best round counts (load only slows a
 * round down), and the per-round ratios give the spread.
 */
async function againstC (cases: Array<{ label: string, set: Uint8Array[], c?: CRounds }>, log: (line: string) => void): Promise<VsC[]> {
  const runs = cases.map(({ set }) => {
    const rx = new SirUnwrapper()
    const roundTrip = (f: Uint8Array): number => {
      const evs = rx.push(sirWrap(f))
      if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('SIR round trip failed')
      return f.length
    }
    timeRound(roundTrip, set, 3 * ROUND_TRIPS) // the JIT's tiers settle (the C side is compiled ahead)
    return { roundTrip, ours: [] as number[], ref: [] as number[] }
  })
  for (let k = 0; k < ROUNDS; k++) {
    for (const [j, { set, c }] of cases.entries()) {
      const run = runs[j]
      timeRound(run.roundTrip, set, 2000) // as the C process warms up before each of its rounds
      run.ours.push(timeRound(run.roundTrip, set))
      if (c !== undefined) run.ref.push(await c.round())
    }
  }
  const best = (xs: number[]): number => Math.max(...xs)
  const rounds = (xs: number[]): string => `(best of ${ROUNDS}; rounds ${xs.map(x => x.toFixed(0)).join(' ')})`
  return cases.map(({ label, c }, j): VsC => {
    const { ours, ref } = runs[j]
    log(`${`SIR wrap+unwrap, ${label}`.padEnd(34)} ${best(ours).toFixed(0).padStart(5)} MB/s ${rounds(ours)}`)
    if (c === undefined) return { ours: best(ours) }
    log(`${`C reference (cc -O2), ${label}`.padEnd(34)} ${best(ref).toFixed(0).padStart(5)} MB/s ${rounds(ref)}`)
    const ratios = ours.map((x, k) => x / ref[k])
    return { ours: best(ours), c: best(ref), spread: [Math.min(...ratios), Math.max(...ratios)] }
  })
}

const SELF = fileURLToPath(import.meta.url)

/**
 * Measures the codecs in a Node process of their own (this script, `--json`), as the C reference
 * runs in its own: what else the calling process loaded must not move the figure. Loading
 * @irdakit/serial through tsx (the linux-paced bench does) invalidates V8's ArrayBufferDetaching
 * protector, after which every DataView access checks for a detached buffer: the codec measured
 * 10-15% slower in such a process. `log` receives one line per measurement.
 */
export async function codec (log: (line: string) => void = () => {}): Promise<CodecResult> {
  const runs: CodecResult[] = []
  for (let k = 0; k < PROCESSES; k++) {
    const child = spawn(process.execPath, [...process.execArgv, SELF, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.setEncoding('utf8').on('data', (s: string) => { out += s })
    createInterface({ input: child.stderr }).on('line', line => { log(`[${k + 1}/${PROCESSES}] ${line}`) })
    const [code] = await once(child, 'close') as [number | null]
    if (code !== 0) throw new Error(`phy-codec: the measuring process exited with ${code}`)
    runs.push(JSON.parse(out) as CodecResult)
  }
  return bestOf(runs)
}

/**
 * Measuring processes per run. On the 2-core VM this was built on, whole stretches of tens of
 * seconds came when every round of a Node process ran 1.5 to 2 times slower, random and escaped
 * frames alike, pinned to one CPU or not, while the C process beside it did not: a run inside
 * such a stretch said 0.8x where the next said 1.7x. Three processes, best rounds over all of
 * them on both sides (C's too), make a run that lands wholly in one unlikely.
 */
const PROCESSES = 3

/** Each figure's best over the processes (both sides alike); spreads widen to cover them all. */
function bestOf (runs: CodecResult[]): CodecResult {
  const max = (f: (r: CodecResult) => number | undefined): number | undefined => {
    const xs = runs.map(f).filter((x): x is number => x !== undefined)
    return xs.length === 0 ? undefined : Math.max(...xs)
  }
  const spread = (f: (r: CodecResult) => [number, number] | undefined): [number, number] | undefined => {
    const xs = runs.map(f).filter((x): x is [number, number] => x !== undefined)
    return xs.length === 0 ? undefined : [Math.min(...xs.map(x => x[0])), Math.max(...xs.map(x => x[1]))]
  }
  const first = runs[0]
  return {
    ...first,
    sirMBs: max(r => r.sirMBs) as number,
    peerMBs: max(r => r.peerMBs) as number,
    peerScratchMBs: max(r => r.peerScratchMBs) as number,
    mirMBs: max(r => r.mirMBs) as number,
    firMBs: max(r => r.firMBs) as number,
    sirRandomMBs: max(r => r.sirRandomMBs) as number,
    sirEscapedMBs: max(r => r.sirEscapedMBs) as number,
    cRandomMBs: max(r => r.cRandomMBs),
    cEscapedMBs: max(r => r.cEscapedMBs),
    randomSpread: spread(r => r.randomSpread),
    escapedSpread: spread(r => r.escapedSpread),
  }
}

/** Measures the codecs in this process; `log` receives one line per measurement. */
async function measureHere (log: (line: string) => void): Promise<CodecResult> {
  const c = await cReference([randomFrames, escapeFrames])
  if (typeof c === 'string') log(c)
  const [cRandom, cEscaped] = typeof c === 'string' ? [] : c.servers
  const [vsC, vsCEscaped] = await againstC([{ label: 'random', set: randomFrames, c: cRandom }, { label: 'all escaped', set: escapeFrames, c: cEscaped }], log)
  if (typeof c !== 'string') c.dispose()
  const peerScratch = measure('textbook SIR codec, scratch buffers', textbookCodec(false), 5, log)
  const peer = measure('textbook SIR codec, owned arrays', textbookCodec(true), 5, log)
  const rx = new SirUnwrapper()
  const sir = measure('SIR wrap+unwrap, 2048-byte frames', f => {
    const evs = rx.push(sirWrap(f))
    if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('SIR round trip failed')
    return f.length
  }, 5, log)
  const [mir, fir] = [1152000, 4000000].map(bps => {
    const u = createUnwrapper(bps)
    return measure(`${bps === 4000000 ? 'FIR' : 'MIR'} wrap+unwrap, 2048-byte frames`, f => {
      const evs = u.push(wrapForSpeed(f, bps))
      if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('round trip failed')
      return f.length
    }, 3, log)
  })
  return {
    sirMBs: sir, peerMBs: peer, peerScratchMBs: peerScratch, anchorMBs: ANCHOR_MB_S, mirMBs: mir, firMBs: fir,
    sirRandomMBs: vsC.ours, cRandomMBs: vsC.c, sirEscapedMBs: vsCEscaped.ours, cEscapedMBs: vsCEscaped.c,
    randomSpread: vsC.spread, escapedSpread: vsCEscaped.spread,
    cMissing: typeof c === 'string' ? c : undefined,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv[2] === '--json') {
  // The measuring process of codec(): lines to stderr as they come, the result as JSON on stdout.
  process.stdout.write(JSON.stringify(await measureHere(line => process.stderr.write(`${line}\n`))))
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await measureHere(console.log)
  if (r.cRandomMBs !== undefined && r.cEscapedMBs !== undefined) {
    const spread = (s?: [number, number]): string => s === undefined ? '' : `, rounds ${s[0].toFixed(2)}..${s[1].toFixed(2)}`
    console.log(`  against the C reference, same run, best rounds: ${(r.sirRandomMBs / r.cRandomMBs).toFixed(2)} (random${spread(r.randomSpread)}), ${(r.sirEscapedMBs / r.cEscapedMBs).toFixed(2)} (all escaped${spread(r.escapedSpread)})`)
  }
  console.log(`  against the textbook peer, same run: ${(r.sirMBs / r.peerMBs).toFixed(2)} (same contract), ${(r.sirMBs / r.peerScratchMBs).toFixed(2)} (peer allocating nothing)`)
  console.log(`  anchor (plain JavaScript, Node 20, another machine): ${ANCHOR_MB_S} MB/s -> ratio ${(r.sirMBs / ANCHOR_MB_S).toFixed(2)}`)
}
