/*!
 * The real session between two Linux 4.9 IrDA stacks (test/fixtures/linux-4.9-session.md) as
 * a reusable fixture: discovery, SNRM/UA with QoS, IAS query, TinyTP connect, data, disconnects.
 * Later layers replay it; the FCS listed with each frame is what Linux actually sent.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export interface LinuxSessionFrame {
  /** Time of the frame, in milliseconds since the relay started (the document lists seconds). */
  t: number
  /** A is guestA (runs discovery, becomes the secondary); B is guestB (connects: the primary). */
  dir: 'A->B' | 'B->A'
  /** IrLAP address + control + information, FCS removed. */
  frame: Uint8Array
  /** The FCS-16 as a number: the two listed bytes read LSB first, so it equals `fcs16(frame)`. */
  fcs: number
}

/** The session as a fixture in this repo (copied from the project's reference notes). */
export const LINUX_SESSION_PATH = fileURLToPath(new URL('../fixtures/linux-4.9-session.md', import.meta.url))

const LINE = /^\[\s*(\d+\.\d+)\]\s+(A->B|B->A)\s+((?:[0-9a-f]{2}\s*)+)$/

let cached: LinuxSessionFrame[] | undefined

/** Every frame of the session, in order. Parsed once; each call returns fresh copies. */
export function linuxSession (): LinuxSessionFrame[] {
  cached ??= parse(readFileSync(LINUX_SESSION_PATH, 'utf8'))
  return cached.map(f => ({ ...f, frame: f.frame.slice() }))
}

function parse (text: string): LinuxSessionFrame[] {
  const frames: LinuxSessionFrame[] = []
  for (const line of text.split('\n')) {
    const m = LINE.exec(line.trim())
    if (m === null) continue
    const bytes = m[3].trim().split(/\s+/).map(h => parseInt(h, 16))
    if (bytes.length < 4) throw new Error(`linux session: frame too short: ${line}`)
    const n = bytes.length
    frames.push({
      t: Math.round(parseFloat(m[1]) * 1000),
      dir: m[2] as 'A->B' | 'B->A',
      frame: Uint8Array.from(bytes.slice(0, n - 2)),
      fcs: bytes[n - 2] | (bytes[n - 1] << 8),
    })
  }
  if (frames.length === 0) throw new Error(`linux session: no frames found in ${LINUX_SESSION_PATH}`)
  return frames
}
