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
 * transfer planned in advance (the benchmarks and the plots). `idealConnectMs` is the same rule
 * for a connect (discovery to TinyTP connect confirm), with its own mandatory frames.
 */
import { SeededRandom } from '@irdakit/core'
import { BAUD_RATES, LAP_DEFAULTS, defaultQos, emitFrame, negotiate, parseFrame } from '@irdakit/lap'
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

/** What the connect's ideal schedule depends on besides the frames: see {@link idealConnectMs}. */
export interface ConnectLink {
  /** The initiator's slot timer (IrLAP 1.1 section 6.11 allows 25 to 85 ms; irdakit runs 80). */
  slotMs: number
  /** The minimum turnaround `sender` honours once the link is negotiated (the peer's value). */
  turnaroundMs: (sender: string) => number
  /** The negotiated window of `sender`: new I frames it may send in one turn. */
  window: (sender: string) => number
}

/** The ideal time of a connect, whole and in its two phases (ms). */
export interface ConnectIdeal { discoveryMs: number, linkMs: number, totalMs: number }

/**
 * The ideal schedule of a connect as `irda demo` and IrSock's `connect()` run it (issue 17):
 * discovery, SNRM/UA, IrLMP connect to IAS, the IAS query, TinyTP connect. From the frames seen
 * on the air, it counts what IrLAP, IrLMP and TinyTP cannot do without:
 * - discovery: each XID command of the slots, then the slot timer (the answer falls inside a
 *   slot), then the final XID; the 500 ms a station listens before its first transmission is
 *   not counted (a stack up for half a second has done it);
 * - the SNRM right after the final XID (no wait for a quiet medium after a discovery that found
 *   someone: IrLAP 1.1 section 6.13.4), the contention minimum turnaround (10 ms at 9600 b/s,
 *   nothing negotiated yet), the UA;
 * - the speed change inside the negotiated minimum turnaround, then the first RR command and its
 *   RR response at the new speed (IrLAP's check of the new parameters; Linux sends it too);
 * - every new I frame (IrLMP connect and confirm, IAS query and answer, the IAS disconnect,
 *   TinyTP connect and confirm), at its airtime as sent (XBOFs, framing, escapes), and the
 *   negotiated minimum turnaround wherever the line turns: one poll/final round per
 *   request/response exchange;
 * - the peer's RR where a sender has filled its window and has more to send (at 9600 b/s the
 *   line capacity leaves a window of 1, so the IAS disconnect and the TinyTP connect need a
 *   turn each).
 * Nothing else: no further RR turn, no retransmission, no idle time. It ends with the last new I
 * frame (the TinyTP connect confirm). Frames before `from` are ignored.
 */
export function idealConnectMs (frames: AirFrame[], link: ConnectLink, from = -Infinity): ConnectIdeal {
  let discoveryMs = 0
  let linkMs = 0
  let checkSenders = new Set<string>() // who has sent its RR of the check round after the UA
  let afterUa = false
  const nextNs = new Map<string, number>()
  let last: string | undefined
  let turnI = 0 // new I frames of `last` in its current turn
  let ack: { sender: string, air: number } | undefined
  const add = (sender: string, air: number, contention: boolean): void => {
    if (last !== undefined && last !== sender) {
      linkMs += contention ? LAP_DEFAULTS.contentionMinTurnaroundMs : link.turnaroundMs(sender)
      turnI = 0
    }
    linkMs += air
    last = sender
  }
  for (const f of frames) {
    if (f.start < from) continue
    const parsed = parseFrame(f.frame)
    if (!parsed.ok) continue
    const lap = parsed.value
    const air = f.end - f.start
    if (lap.kind === 'XID') {
      if (!lap.command) continue // an answer, inside its slot
      discoveryMs += air + (lap.info.slot === 0xFF ? 0 : link.slotMs)
      last = f.sender
      continue
    }
    let keep = false
    let contention = false
    if (lap.kind === 'SNRM' || lap.kind === 'UA') {
      keep = true
      contention = true
      if (lap.kind === 'UA') { afterUa = true; checkSenders = new Set() }
    } else if (lap.kind === 'RR' && afterUa && !checkSenders.has(f.sender) && nextNs.size === 0) {
      keep = true
      checkSenders.add(f.sender)
    } else if (lap.kind === 'RR' && last !== undefined && last !== f.sender && turnI >= link.window(last)) {
      ack ??= { sender: f.sender, air } // needed only if the sender whose window is full goes on
      continue
    } else if (lap.kind === 'I' && lap.ns === (nextNs.get(f.sender) ?? 0)) {
      keep = true
      nextNs.set(f.sender, (lap.ns + 1) % 8)
    }
    if (!keep) continue
    if (ack !== undefined && ack.sender !== f.sender) add(ack.sender, ack.air, false)
    ack = undefined
    add(f.sender, air, contention)
    if (lap.kind === 'I') turnI++
  }
  return { discoveryMs, linkMs, totalMs: discoveryMs + linkMs }
}
