/*!
 * A long capture made up for the viewer's large-capture test and bench: a connected link
 * passing IrLMP data back and forth (I frames with their N(S)/N(R), an RR after each, a REJ
 * every 500 rounds), 2 ms apart, written straight to a pcap in large pieces.
 */
import { openSync, writeSync, closeSync } from 'node:fs'
import { encodePcapHeader, encodePcapRecord } from '@irdakit/capture'

const CA = 0x31

/** Frame `k` of the made-up link. */
function frameAt (k: number): { frame: Uint8Array, direction: 'in' | 'out' } {
  const round = Math.floor(k / 4)
  const ns = round & 7
  switch (k % 4) {
    case 0: return { direction: 'out', frame: Uint8Array.of((CA << 1) | 1, (ns << 5) | 0x10 | (ns << 1), 0x60, 0x4A, 0x01, k & 0xFF, (k >> 8) & 0xFF, 0x55) }
    case 1: return round % 500 === 499
      ? { direction: 'in', frame: Uint8Array.of(CA << 1, (ns << 5) | 0x10 | 0x09) } // REJ
      : { direction: 'in', frame: Uint8Array.of(CA << 1, (((ns + 1) & 7) << 5) | 0x10 | 0x01) }
    case 2: return { direction: 'out', frame: Uint8Array.of((CA << 1) | 1, (((ns + 1) & 7) << 5) | 0x10 | 0x01) }
    default: return { direction: 'in', frame: Uint8Array.of(CA << 1, (((ns + 1) & 7) << 5) | 0x10 | (ns << 1), 0x4A, 0x60, 0x01, 0x42) }
  }
}

/** Writes `frames` frames, 2 ms apart, to `path`. */
export function writeLargeCapture (path: string, frames: number): void {
  const fd = openSync(path, 'w')
  try {
    writeSync(fd, encodePcapHeader())
    const chunk = new Uint8Array(4 << 20)
    let size = 0
    for (let k = 0; k < frames; k++) {
      const { frame, direction } = frameAt(k)
      const rec = encodePcapRecord({ timestampMs: k * 2, direction, frame })
      if (size + rec.length > chunk.length) { writeSync(fd, chunk, 0, size); size = 0 }
      chunk.set(rec, size)
      size += rec.length
    }
    writeSync(fd, chunk, 0, size)
  } finally {
    closeSync(fd)
  }
}
