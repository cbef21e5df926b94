/*!
 * `irda view`'s server on a long capture: how fast it indexes against decoding the same frames
 * alone (the decoder is most of the work; the rest is the index), what it holds per frame against
 * the frame's size in the pcap, and how long one screenful (a range of 2000 frames, read back
 * from the file and decoded) takes against one 60 Hz frame. The capture is the demo's exchange
 * repeated (test/bench/dump.ts): 1,000,000 frames, 100,000 with --quick.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DecodeSession, decodeFrame, forEachPcapRecord } from '@irdakit/capture'
import { SPEEDS } from '@irdakit/phy'
import { MAX_RANGE_FRAMES, openPcapStore } from '@irdakit/viewer'
import { SpeedFollower } from '../../packages/cli/src/speed-follower.js'
import type { BenchOptions, BenchRow } from '../../packages/cli/src/bench/index.js'
import { makeCapture } from './dump.js'

export async function viewerIndexBench (opts: BenchOptions): Promise<BenchRow[]> {
  const frames = opts.quick === true ? 100_000 : 1_000_000
  const dir = mkdtempSync(join(tmpdir(), 'irda-bench-viewer-'))
  try {
    const path = join(dir, 'long.pcap')
    makeCapture(path, frames, dir)
    const fileBytes = statSync(path).size

    let t = performance.now()
    const session = new DecodeSession()
    forEachPcapRecord(path, rec => { decodeFrame(rec.frame, session) })
    const decodeMs = performance.now() - t

    t = performance.now()
    const { store, indexed } = openPcapStore(path, { speedTracker: new SpeedFollower(SPEEDS) })
    await indexed
    const indexMs = performance.now() - t

    // One screenful in the middle: the window from one frame's start to the end of the 2000th after it.
    const middle = Math.floor(store.count / 2)
    const from = store.detail(middle)?.start ?? 0
    const to = store.detail(middle + MAX_RANGE_FRAMES - 1)?.end ?? from
    t = performance.now()
    const got = store.range({}, from, to).frames.length
    const rangeMs = performance.now() - t
    store.close()

    const perSecond = (ms: number): number => frames / ms * 1000
    return [
      { bench: 'viewer-index', case: `index ${frames.toLocaleString('en')} frames vs decoding them alone (same run)`, value: perSecond(indexMs), unit: 'frames/s', ratio: decodeMs / indexMs, against: `decode alone ${perSecond(decodeMs).toFixed(0)} frames/s` },
      { bench: 'viewer-index', case: 'bytes held per frame vs the frame\'s bytes in the pcap', value: store.memoryBytes() / frames, unit: 'B/frame', ratio: store.memoryBytes() / fileBytes, against: `pcap ${(fileBytes / frames).toFixed(0)} B/frame` },
      { bench: 'viewer-index', case: `one screenful: ${got} frames read back from the file and decoded`, value: rangeMs, unit: 'ms', ratio: rangeMs / (1000 / 60), against: 'one 60 Hz frame (16.7 ms)' },
    ]
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
