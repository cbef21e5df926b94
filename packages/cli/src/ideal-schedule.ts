/*!
 * How well an echo used the line, in two honest measures (issue 14):
 * - against the line's byte rate: SIR sends 10 bits per byte (start, 8 data, stop), MIR and
 *   FIR 8, so 115200 bit/s carries at most 11520 bytes a second;
 * - against the ideal schedule of the negotiated link, the benchmark's definition
 *   (test/bench/lap-goodput.ts): every new I frame on the air at the line rate (with its framing,
 *   escapes and XBOFs), one acknowledgement where the line turns with nothing to send, and the
 *   negotiated minimum turnaround at every turn. Retransmissions, idle time and polling are what
 *   the measured time has and the ideal has not.
 */
import { parseFrame } from '@irdakit/lap'

/** Bytes a second the line can carry: SIR (up to 115200 bit/s) sends 10 bits per byte, MIR and FIR 8. */
export function lineBytesPerSecond (bps: number): number {
  return bps <= 115200 ? bps / 10 : bps / 8
}

/** How a line's byte rate is counted, for the output. */
export function byteRateNote (bps: number): string {
  return bps <= 115200 ? 'SIR: 10 bits a byte' : `${bps <= 1152000 ? 'MIR' : 'FIR'}: 8 bits a byte`
}

/** One transmission on the medium (a room's tap record has these). */
export interface AirFrame { sender: string, start: number, end: number, frame: Uint8Array }

/**
 * The ideal time of the frames sent from `from` to `to` (ms on the same clock): the airtime of
 * each new I frame (N(S) the next one its sender had not sent yet), the airtime of the first
 * supervisory frame of a turn without new I frames, and `turnaroundMs(sender)` before each turn
 * after the first.
 */
export function idealScheduleMs (frames: AirFrame[], from: number, to: number, turnaroundMs: (sender: string) => number): number {
  const nextNs = new Map<string, number>()
  let ideal = 0
  let turnSender: string | undefined
  let turnHasData = false
  let turnAck = 0
  const endTurn = (): void => { if (turnSender !== undefined && !turnHasData) ideal += turnAck }
  for (const f of frames) {
    if (f.start < from || f.end > to) continue
    const parsed = parseFrame(f.frame)
    if (!parsed.ok) continue
    const lap = parsed.value
    const air = f.end - f.start
    const isNew = lap.kind === 'I' && lap.ns === (nextNs.get(f.sender) ?? lap.ns)
    const isAck = lap.kind === 'RR' || lap.kind === 'RNR' || lap.kind === 'REJ' || lap.kind === 'SREJ'
    if (!isNew && !isAck) continue // a retransmission, or a frame that is not part of data transfer
    if (f.sender !== turnSender) {
      endTurn()
      if (turnSender !== undefined) ideal += turnaroundMs(f.sender)
      turnSender = f.sender
      turnHasData = false
      turnAck = isAck ? air : 0
    }
    if (isNew && lap.kind === 'I') {
      nextNs.set(f.sender, (lap.ns + 1) % 8)
      turnHasData = true
      ideal += air
    }
  }
  endTurn()
  return ideal
}
