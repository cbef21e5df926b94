/*!
 * Micro benchmark of the SIR codec: wrap + unwrap (with FCS-16 both ways) of 2048-byte frames,
 * in MB/s of frame bytes, against a peer measured in the same run (the textbook codec: one byte
 * at a time, as Linux's async_wrap/async_unwrap do it) and against the 275 MB/s of plain
 * JavaScript on Node 20 recorded, on another machine, in shared/reference/performance-anchors.md.
 * Also MIR and FIR for scale. Not a test:
 *   node --import tsx --conditions=irdakit-source test/bench/phy-codec.ts
 */
import { pathToFileURL } from 'node:url'
import { SeededRandom } from '@irdakit/core'
import { createUnwrapper, sirWrap, SirUnwrapper, wrapForSpeed } from '@irdakit/phy'

const ANCHOR_MB_S = 275
const FRAME = 2048
const random = new SeededRandom(1)
/** Random frames: about 3 in 256 bytes need escaping, as on a real link. */
const frames = Array.from({ length: 64 }, () => Uint8Array.from({ length: FRAME }, () => random.int(256)))

function measure (label: string, roundTrip: (f: Uint8Array) => number, seconds = 1.5, log = console.log): number {
  for (let i = 0; i < 2000; i++) roundTrip(frames[i % frames.length]) // warm up
  let bytes = 0
  let n = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < seconds * 1000) {
    for (let k = 0; k < 256; k++) bytes += roundTrip(frames[n++ % frames.length])
    elapsed = performance.now() - start
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

export interface CodecResult { sirMBs: number, peerMBs: number, peerScratchMBs: number, anchorMBs: number, mirMBs: number, firMBs: number }

/** Measures the codecs; `log` receives one line per measurement. */
export function codec (log: (line: string) => void = () => {}): CodecResult {
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
  return { sirMBs: sir, peerMBs: peer, peerScratchMBs: peerScratch, anchorMBs: ANCHOR_MB_S, mirMBs: mir, firMBs: fir }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = codec(console.log)
  console.log(`  against the textbook peer, same run: ${(r.sirMBs / r.peerMBs).toFixed(2)} (same contract), ${(r.sirMBs / r.peerScratchMBs).toFixed(2)} (peer allocating nothing)`)
  console.log(`  anchor (plain JavaScript, Node 20, another machine): ${ANCHOR_MB_S} MB/s -> ratio ${(r.sirMBs / ANCHOR_MB_S).toFixed(2)}`)
}
