/*!
 * The capture the viewer's browser tests and its docs screenshot draw: the demo's exchange in
 * an emulated room (virtual time): discovery, connect, IAS, TinyTP data, with a bit error rate
 * that damages a frame. The first seed (from 1) whose run has a retransmission and echoes intact
 * is taken, so the capture stays deterministic for a given stack and keeps one as the stack
 * changes; none in 40 seeds throws, rather than letting a test pass without a retransmission.
 */
import { readPcap } from '@irdakit/capture'
import { demoBytes, runDemo } from '../../packages/cli/src/demo.js'

export interface DemoCapture { path: string, frames: number, retransmissions: number, lost: number, seed: number }

export async function writeDemoCapture (path: string): Promise<DemoCapture> {
  for (let seed = 1; seed <= 40; seed++) {
    const r = await runDemo({ speed: 115200, ber: 1e-4, seed, data: demoBytes(600), pcap: path }).catch(() => undefined)
    if (r === undefined || r.retransmissions < 1 || !r.identical) continue
    return { ...readBack(path), retransmissions: r.retransmissions, lost: r.lostFrames ?? 0, seed }
  }
  throw new Error('no seed in 1..40 gives the demo capture a retransmission at ber 1e-4')
}

function readBack (path: string): { path: string, frames: number } {
  const read = readPcap(path)
  if (!read.ok) throw new Error(`the demo capture does not read back: ${read.error.message}`)
  return { path, frames: read.value.length }
}
