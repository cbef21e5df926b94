/*!
 * How well a transfer used the line, in two honest measures (issues 14 and 17):
 * - against the line's byte rate: SIR sends 10 bits per byte (start, 8 data, stop), MIR and
 *   FIR 8, so 115200 bit/s carries at most 11520 bytes a second;
 * - against the ideal schedule of the negotiated link, defined once in docs/benchmarks.md
 *   ("The ideal schedule"): every new I frame on the air at the line rate (with its framing,
 *   escapes and XBOFs), one acknowledgement where the line turns with nothing to send, and the
 *   negotiated minimum turnaround at every turn. Retransmissions, idle time and polling are what
 *   the measured time has and the ideal has not.
 * `idealScheduleMs` applies it to frames seen on the air (the demo), `idealBulkMs` to a one-way
 * transfer planned in advance (the benchmarks and the plots).
 */
import { SeededRandom } from '@irdakit/core'
import { BAUD_RATES, defaultQos, emitFrame, negotiate, parseFrame } from '@irdakit/lap'
import { airtimeMs, wrapForSpeed } from '@irdakit/phy'

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

/** What the ideal schedule of a one-way transfer depends on: the negotiated link of each side. */
export interface BulkLink {
  bps: number
  /** Frames the sender may send before it passes the P/F bit. */
  window: number
  /** XBOFs before each frame of the sender, and of the receiver (its RR). */
  xbofs: number
  peerXbofs: number
  /** Quiet time the sender leaves before it transmits, and the receiver before its RR. */
  mttMs: number
  peerMttMs: number
}

/**
 * The ideal time (ms) to carry these I-frame information fields one way: every frame back to
 * back at the line rate (address, control, FCS, BOF/EOF, the escapes of these very bytes, the
 * sender's XBOFs), and after each window but the last the receiver's minimum turnaround, its RR
 * (with its XBOFs) and the sender's minimum turnaround. The last window's RR is not counted: the
 * measured time ends with the last I frame.
 */
export function idealBulkMs (infos: Uint8Array[], link: BulkLink): number {
  let ms = 0
  infos.forEach((info, i) => {
    const frame = emitFrame({ kind: 'I', caddr: 1, command: true, pf: (i + 1) % link.window === 0 || i === infos.length - 1, ns: i % 8, nr: 0, info })
    ms += airtimeMs(wrapForSpeed(frame, link.bps, { xbofs: link.xbofs }), link.bps)
  })
  const rr = emitFrame({ kind: 'RR', caddr: 1, command: false, pf: true, nr: 0 })
  const turns = Math.ceil(infos.length / link.window)
  ms += Math.max(0, turns - 1) * (link.peerMttMs + airtimeMs(wrapForSpeed(rr, link.bps, { xbofs: link.peerXbofs }), link.bps) + link.mttMs)
  return ms
}

/**
 * Two stations offering the same QoS, negotiated at `bps` (IrLAP's line-capacity rule included).
 * Only `bps` is offered, so 2400 can be drawn too, though real stations (9600 is mandatory)
 * never agree on it.
 */
export function negotiatedLink (bps: number, opts: { dataSize?: number, window?: number, minTurnaroundMs?: number } = {}): BulkLink & { dataSize: number } {
  const qos = { ...defaultQos({ dataSize: opts.dataSize ?? 2048, windowSize: opts.window ?? 7, minTurnaroundMs: opts.minTurnaroundMs ?? 10 }), baudRate: 1 << BAUD_RATES.indexOf(bps as typeof BAUD_RATES[number]) }
  const r = negotiate(qos, qos, { maxTxDataSize: opts.dataSize ?? 2048 })
  if (!r.ok) throw new Error(`no link at ${bps} b/s: ${r.error.message}`)
  const l = r.value
  return { bps, dataSize: l.txDataSize, window: l.txWindowSize, xbofs: l.txAdditionalBofs, peerXbofs: l.txAdditionalBofs, mttMs: l.txMinTurnaroundMs, peerMttMs: l.txMinTurnaroundMs }
}

/**
 * Ideal goodput (payload kB/s, 1 kB = 1000 bytes) of a long one-way transfer of random bytes in
 * full frames over `link`: 16 windows of seeded random frames, so the escapes are a real mix.
 */
export function idealGoodputKBs (link: BulkLink & { dataSize: number }): number {
  const random = new SeededRandom(link.bps)
  const infos = Array.from({ length: 16 * link.window }, () => Uint8Array.from({ length: link.dataSize }, () => random.u32() & 0xFF))
  return infos.length * link.dataSize / idealBulkMs(infos, link)
}
