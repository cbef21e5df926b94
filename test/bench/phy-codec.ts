/*!
 * Micro benchmark of the SIR codec: wrap + unwrap (with FCS-16 both ways) of 2048-byte frames,
 * in MB/s of frame bytes, against the 275 MB/s of plain JavaScript on Node 20 recorded in
 * shared/reference/performance-anchors.md. Also MIR and FIR for scale. Not a test:
 *   node --import tsx --conditions=irdakit-source test/bench/phy-codec.ts
 */
import { SeededRandom } from '@irdakit/core'
import { createUnwrapper, sirWrap, SirUnwrapper, wrapForSpeed } from '@irdakit/phy'

const ANCHOR_MB_S = 275
const FRAME = 2048
const random = new SeededRandom(1)
/** Random frames: about 3 in 256 bytes need escaping, as on a real link. */
const frames = Array.from({ length: 64 }, () => Uint8Array.from({ length: FRAME }, () => random.int(256)))

function measure (label: string, roundTrip: (f: Uint8Array) => number, seconds = 1.5): number {
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
  console.log(`${label.padEnd(34)} ${mbs.toFixed(0).padStart(5)} MB/s`)
  return mbs
}

const rx = new SirUnwrapper()
const sir = measure('SIR wrap+unwrap, 2048-byte frames', f => {
  const evs = rx.push(sirWrap(f))
  if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('SIR round trip failed')
  return f.length
})
console.log(`  anchor (plain JavaScript, Node 20): ${ANCHOR_MB_S} MB/s -> ratio ${(sir / ANCHOR_MB_S).toFixed(2)}`)

for (const bps of [1152000, 4000000]) {
  const u = createUnwrapper(bps)
  measure(`${bps === 4000000 ? 'FIR' : 'MIR'} wrap+unwrap, 2048-byte frames`, f => {
    const evs = u.push(wrapForSpeed(f, bps))
    if (evs.length !== 1 || evs[0].type !== 'frame') throw new Error('round trip failed')
    return f.length
  }, 0.5)
}
