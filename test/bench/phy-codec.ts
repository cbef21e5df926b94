/*!
 * Micro benchmark of the SIR codec: wrap + unwrap (with FCS-16 both ways) of 2048-byte frames,
 * in MB/s of frame bytes, against peers measured in the same run: a C reference compiled on the
 * spot with `cc -O2` (test/bench/c/sir-ref.c: one byte at a time, as Linux's
 * async_wrap/async_unwrap do it), the same textbook codec in JavaScript, and the 275 MB/s of
 * plain JavaScript on Node 20 recorded on another machine (the project's performance anchors).
 * Two kinds of frames: random bytes (about 3 in 256 need escaping, as on a real link) and frames
 * whose every byte needs escaping (the worst case). Also MIR and FIR for scale. Not a test:
 *   node --import tsx --conditions=irdakit-source test/bench/phy-codec.ts
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { SeededRandom } from '@irdakit/core'
import { createUnwrapper, sirWrap, SirUnwrapper, wrapForSpeed } from '@irdakit/phy'

const ANCHOR_MB_S = 275
const FRAME = 2048
const random = new SeededRandom(1)
/** Random frames: about 3 in 256 bytes need escaping, as on a real link. */
const randomFrames = Array.from({ length: 64 }, () => Uint8Array.from({ length: FRAME }, () => random.int(256)))
/** Frames of BOF, EOF and CE only: every byte is sent as two. */
const escapeFrames = Array.from({ length: 64 }, (_, k) => Uint8Array.from({ length: FRAME }, (_, i) => [0xC0, 0xC1, 0x7D][(i + k) % 3]))
let frames: Uint8Array[] = randomFrames

/** CPU time of this process in ms (all its threads: the JIT and the GC are part of the cost). */
function cpuMs (): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** MB/s of frame bytes per second of CPU time, so a busy machine slows the figure little. */
function measure (label: string, roundTrip: (f: Uint8Array) => number, seconds = 1.5, log = console.log): number {
  for (let i = 0; i < 2000; i++) roundTrip(frames[i % frames.length]) // warm up
  let bytes = 0
  let n = 0
  const start = cpuMs()
  let elapsed = 0
  while (elapsed < seconds * 1000) {
    for (let k = 0; k < 256; k++) bytes += roundTrip(frames[n++ % frames.length])
    elapsed = cpuMs() - start
  }
  const mbs = bytes / 1e6 / (elapsed / 1000)
  log(`${label.padEnd(34)} ${mbs.toFixed(0).padStart(5)} MB/s`)
  return mbs
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
  /** Medians of the runs alternating with the C reference; `c*` undefined when no C compiler (`cMissing` says why). */
  sirRandomMBs: number, cRandomMBs?: number, sirEscapedMBs: number, cEscapedMBs?: number, cMissing?: string
}

const C_SOURCE = fileURLToPath(new URL('./c/sir-ref.c', import.meta.url))

/**
 * The C reference, compiled now with the machine's `cc -O2`, run on the same frames. Returns
 * a function measuring MB/s for a set of frames, or a reason when there is no C compiler.
 */
function cReference (): { run: (set: Uint8Array[], seconds: number) => number, dispose: () => void } | string {
  const dir = mkdtempSync(join(tmpdir(), 'irdakit-bench-'))
  const exe = join(dir, 'sir-ref')
  try {
    execFileSync('cc', ['-O2', '-o', exe, C_SOURCE], { stdio: 'pipe' })
  } catch (err) {
    rmSync(dir, { recursive: true, force: true })
    return `no C reference (cc -O2 failed: ${(err as Error).message.split('\n')[0]}; apt-get install -y gcc)`
  }
  return {
    run: (set, seconds) => {
      const file = join(dir, 'frames.bin')
      writeFileSync(file, Buffer.concat(set))
      return Number(execFileSync(exe, [file, String(FRAME), String(seconds)], { encoding: 'utf8' }).trim())
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  }
}

/** Median of three alternating runs of ours and the C reference, so load on the machine hits both alike. */
function againstC (label: string, set: Uint8Array[], c: ReturnType<typeof cReference>, log: (line: string) => void): { ours: number, c?: number } {
  frames = set
  const rx = new SirUnwrapper()
  const ours: number[] = []
  const ref: number[] = []
  for (let k = 0; k < 3; k++) {
    ours.push(measure(`SIR wrap+unwrap, ${label}`, f => {
      const evs = rx.push(sirWrap(f))
      if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('SIR round trip failed')
      return f.length
    }, 1, log))
    if (typeof c !== 'string') {
      ref.push(c.run(set, 1))
      log(`${`C reference (cc -O2), ${label}`.padEnd(34)} ${ref[k].toFixed(0).padStart(5)} MB/s`)
    }
  }
  frames = randomFrames
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[1]
  return { ours: median(ours), c: ref.length === 3 ? median(ref) : undefined }
}

/** Measures the codecs; `log` receives one line per measurement. */
export function codec (log: (line: string) => void = () => {}): CodecResult {
  const c = cReference()
  if (typeof c === 'string') log(c)
  const vsC = againstC('random', randomFrames, c, log)
  const vsCEscaped = againstC('all escaped', escapeFrames, c, log)
  if (typeof c !== 'string') c.dispose()
  const peerScratch = measure('textbook SIR codec, scratch buffers', textbookCodec(false), 1.5, log)
  const peer = measure('textbook SIR codec, owned arrays', textbookCodec(true), 1.5, log)
  const rx = new SirUnwrapper()
  const sir = measure('SIR wrap+unwrap, 2048-byte frames', f => {
    const evs = rx.push(sirWrap(f))
    if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('SIR round trip failed')
    return f.length
  }, 1.5, log)
  const [mir, fir] = [1152000, 4000000].map(bps => {
    const u = createUnwrapper(bps)
    return measure(`${bps === 4000000 ? 'FIR' : 'MIR'} wrap+unwrap, 2048-byte frames`, f => {
      const evs = u.push(wrapForSpeed(f, bps))
      if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('round trip failed')
      return f.length
    }, 0.5, log)
  })
  return {
    sirMBs: sir, peerMBs: peer, peerScratchMBs: peerScratch, anchorMBs: ANCHOR_MB_S, mirMBs: mir, firMBs: fir,
    sirRandomMBs: vsC.ours, cRandomMBs: vsC.c, sirEscapedMBs: vsCEscaped.ours, cEscapedMBs: vsCEscaped.c,
    cMissing: typeof c === 'string' ? c : undefined,
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = codec(console.log)
  if (r.cRandomMBs !== undefined && r.cEscapedMBs !== undefined) {
    console.log(`  against the C reference, same run: ${(r.sirRandomMBs / r.cRandomMBs).toFixed(2)} (random), ${(r.sirEscapedMBs / r.cEscapedMBs).toFixed(2)} (all escaped)`)
  }
  console.log(`  against the textbook peer, same run: ${(r.sirMBs / r.peerMBs).toFixed(2)} (same contract), ${(r.sirMBs / r.peerScratchMBs).toFixed(2)} (peer allocating nothing)`)
  console.log(`  anchor (plain JavaScript, Node 20, another machine): ${ANCHOR_MB_S} MB/s -> ratio ${(r.sirMBs / ANCHOR_MB_S).toFixed(2)}`)
}
