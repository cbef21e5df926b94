/*!
 * A scripted IrLAP primary on the tester station: SNRM/UA, numbered I frames, polls, and the
 * bookkeeping of V(S)/V(R), so upper-layer cases (IrLMP, IAS, TinyTP) can talk to a secondary
 * with a few calls while every frame still goes through the trace. Window 1 from our side;
 * whatever window the target sends within, we accept and check.
 */
import { BROADCAST_CADDR, BROADCAST_DEVICE, defaultQos, emitFrame, negotiate, type LapFrame, type LinkParams, type QosCapabilities, type QosFields, type UaInfo } from '@irdakit/lap'
import { CaseVerdict, NoResponse } from './verdict.js'
import { startOf, type Received, type TesterStation } from './station.js'

/** The tester's device address (never a real device's: the bytes spell "TEST" upside down). */
export const TESTER_ADDRESS = 0x54534554

/** What the tester offers in SNRM unless a case says otherwise: 9600 only (no speed change), window 1, 2048-byte frames. */
export function testerQos (caps: QosCapabilities = {}): QosFields {
  return defaultQos({ speeds: [9600], windowSize: 1, dataSize: 2048, linkDisconnectMs: 12000, minTurnaroundMs: 1, ...caps })
}

/** SIR speeds the tester can run at on this port (the sanity probe offers them all, to learn the target's). */
export function sirSpeeds (speeds: readonly number[]): number[] {
  return speeds.filter(s => s <= 115200)
}

/** Answer time we allow the target: our own frame's line time, its turnaround, and up to 500 ms of its frames (the maximum turnaround at 9600). */
export const ANSWER_MS = 1200

export interface ConnectOptions {
  qos?: QosFields
  caddr?: number
  /** Raw SNRM bytes instead of the encoded one (malformed parameter cases). */
  raw?: Uint8Array
}

export class PrimaryLink {
  vs = 0
  vr = 0
  /** I-frame payloads received, in order. */
  readonly received: Uint8Array[] = []
  /** Every frame the target sent on this link. */
  readonly frames: Received[] = []
  /** The frames of each turn of the target (one list per poll answered). */
  readonly turns: Received[][] = []
  closed = false

  /** Time from the end of our SNRM to the start of the UA (ms). */
  uaGapMs = 0

  private constructor (readonly st: TesterStation, readonly caddr: number, readonly target: number, readonly ua: UaInfo, readonly params: LinkParams | undefined) {}

  /** SNRM to `target`; the target must answer UA (IrLAP 6.4.1). */
  static async connect (st: TesterStation, target: number, opts: ConnectOptions = {}): Promise<PrimaryLink> {
    const caddr = opts.caddr ?? 0x2A
    const qos = opts.qos ?? testerQos()
    const snrm = opts.raw ?? emitFrame({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: target, connAddr: caddr, qos } })
    // Like any primary, repeat an unanswered SNRM (N3 = 3 tries, IrLAP 6.4.1): the device may
    // have been busy with its own discovery.
    let r: Received & { frame: LapFrame } | undefined
    for (let attempt = 1; r === undefined; attempt++) {
      st.send(snrm, attempt > 1 ? `try ${attempt}` : undefined)
      try {
        r = await st.expect({ kind: 'UA', command: false, pf: true }, ANSWER_MS, 'a SNRM addressed to the device gets UA (IrLAP 6.4.1)')
      } catch (e) {
        if (!(e instanceof NoResponse) || attempt >= 3) throw e
      }
    }
    const f = r.frame as LapFrame & { kind: 'UA' }
    if (f.caddr !== caddr) throw new CaseVerdict('FAIL', `UA on connection address 0x${f.caddr.toString(16)}, SNRM gave 0x${caddr.toString(16)} (IrLAP 6.4.1)`)
    if (f.info?.qos === undefined) throw new CaseVerdict('FAIL', 'UA to SNRM carries no negotiation parameters (IrLAP 6.6)')
    const n = negotiate(qos, f.info.qos)
    const link = new PrimaryLink(st, caddr, target, f.info, n.ok ? n.value : undefined)
    link.uaGapMs = startOf(r, 9600) - st.lastTxEnd
    if (link.params !== undefined) {
      st.port.setMinTurnaround(link.params.txMinTurnaroundMs)
      // Both stations change speed after UA (IrLAP 6.6.1); back to 9600 after the disconnect.
      if (link.params.baudRate !== st.port.speed) {
        st.note(`speed ${link.params.baudRate}`)
        await st.port.setSpeed(link.params.baudRate)
      }
    }
    return link
  }

  /** An I frame with our V(S) and V(R). */
  sendI (info: Uint8Array, pf = true, note?: string): void {
    this.st.send({ kind: 'I', caddr: this.caddr, command: true, pf, ns: this.vs, nr: this.vr, info }, note)
    this.vs = (this.vs + 1) % 8
  }

  sendS (kind: 'RR' | 'RNR' | 'REJ' | 'SREJ', pf = true, nr = this.vr): void {
    this.st.send({ kind, caddr: this.caddr, command: true, pf, nr })
  }

  /**
   * Reads the target's answer to our poll: frames until one carries F. In-sequence I frames are
   * taken (V(R) advances); anything else is returned for the case to judge.
   */
  async answer (ms = ANSWER_MS): Promise<Received[]> {
    const got: Received[] = []
    for (;;) {
      const r = await this.st.next(ms)
      if (r === undefined) {
        if (got.length === 0) { this.st.flag(`no answer to the poll within ${ms} ms`); throw new NoResponse(`the target did not answer a poll within ${ms} ms (IrLAP 6.5.3: a secondary answers every P with F)`) }
        this.turns.push(got)
        return got
      }
      got.push(r)
      this.frames.push(r)
      const f = r.frame
      if (f?.kind === 'I' && f.caddr === this.caddr && f.ns === this.vr) {
        this.vr = (this.vr + 1) % 8
        this.received.push(f.info)
      }
      if (f === undefined || f.pf || f.kind === 'DM' || f.kind === 'FRMR') { this.turns.push(got); return got }
    }
  }

  /** Sends `info` as an I frame with P (or an RR poll without data) and reads the answer. */
  async exchange (info?: Uint8Array, ms = ANSWER_MS): Promise<Received[]> {
    if (info === undefined) this.sendS('RR')
    else this.sendI(info)
    return await this.answer(ms)
  }

  private readonly consumed = new Set<number>()

  /**
   * Polls until `take` accepts a received payload not taken before (checked in arrival order),
   * up to `ms` in all. Payloads it passes over stay for later calls.
   */
  async until<T> (take: (info: Uint8Array) => T | undefined, ms: number, what: string): Promise<T> {
    const deadline = this.st.now() + ms
    for (;;) {
      for (let i = 0; i < this.received.length; i++) {
        if (this.consumed.has(i)) continue
        const v = take(this.received[i])
        if (v !== undefined) { this.consumed.add(i); return v }
      }
      if (this.st.now() >= deadline) { this.st.flag(`${what}: nothing within ${ms} ms`); throw new CaseVerdict('FAIL', `${what}: nothing came within ${ms} ms`) }
      const got = await this.exchange()
      if (got.some(r => r.frame?.kind === 'DM' || r.frame?.kind === 'RD' || r.frame?.kind === 'FRMR')) {
        throw new CaseVerdict('FAIL', `${what}: the target left the link (${got.map(r => r.frame?.kind).join(', ')})`)
      }
      if (!got.some(r => r.frame?.kind === 'I')) await this.st.wait(20)
    }
  }

  /** DISC; the target must answer UA or DM (IrLAP 6.4.4). */
  async disconnect (): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.st.send({ kind: 'DISC', caddr: this.caddr, command: true, pf: true })
    try {
      await this.st.expect({ kind: (k: unknown) => k === 'UA' || k === 'DM', command: false } as never, ANSWER_MS, 'DISC is answered with UA or DM (IrLAP 6.4.4)')
    } finally {
      await this.contention()
    }
  }

  /** Back to the contention speed (9600) and turnaround after the link. */
  async contention (): Promise<void> {
    this.st.port.setMinTurnaround(10)
    if (this.st.port.speed !== 9600) { this.st.note('speed 9600'); await this.st.port.setSpeed(9600) }
  }
}

/** A discovery XID command (IrLAP 6.11). */
export function xidCommand (slot: number, opts: { slots?: 1 | 6 | 8 | 16, destination?: number, source?: number, info?: Uint8Array, newAddress?: boolean } = {}): LapFrame {
  return {
    kind: 'XID', caddr: BROADCAST_CADDR, command: true, pf: true,
    info: { format: 1, source: opts.source ?? TESTER_ADDRESS, destination: opts.destination ?? BROADCAST_DEVICE, slots: opts.slots ?? 1, newAddress: opts.newAddress ?? false, slot, version: 0, ...(opts.info !== undefined ? { discoveryInfo: opts.info } : {}) },
  }
}

/** The tester's discovery info: hints 0x04 0x00 (Computer), ASCII, "irdakit-tester". */
export const TESTER_DISCOVERY_INFO = Uint8Array.from([0x04, 0x00, ...new TextEncoder().encode('irdakit-tester')])
