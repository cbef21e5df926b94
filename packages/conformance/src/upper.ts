/*!
 * IrLMP, IAS and TinyTP on top of the scripted primary: just enough of each protocol for the
 * tester to reach the layer a case checks, with every PDU still in the trace.
 */
import { emitLmpPdu, parseLmpPdu, encodeGetValueByClass, parseGetValueByClassResponse, parseIapControl, segmentIap, iapAck, IAP_OPCODE, type LmpPdu, type IasEntry } from '@irdakit/lmp'
import { TtpConnectPdu, TtpDataPdu } from '@irdakit/ttp'
import { CaseVerdict } from './verdict.js'
import type { PrimaryLink } from './link.js'

/** How long an upper-layer answer may take (several polls). */
export const UPPER_MS = 3000

/** The tester's own selectors. */
export const TESTER_LSAP = { IAS_CLIENT: 0x51, TTP: 0x52, LMP: 0x53 }

export function pduOf (info: Uint8Array): LmpPdu | undefined {
  const d = parseLmpPdu(info)
  return d.ok ? d.value : undefined
}

/** Sends one LM-MUX PDU in an I frame (with P) and reads the answer. */
export async function sendPdu (link: PrimaryLink, pdu: LmpPdu, note?: string): Promise<void> {
  link.sendI(emitLmpPdu(pdu), true, note)
  await link.answer()
}

/** Polls until a PDU matching `pred` arrives from the target. */
export async function expectPdu (link: PrimaryLink, pred: (p: LmpPdu) => boolean, what: string, ms = UPPER_MS): Promise<LmpPdu> {
  return await link.until(info => { const p = pduOf(info); return p !== undefined && pred(p) ? p : undefined }, ms, what)
}

/** An LM connect from `slsap` to `dlsap`; returns the target's answer (connect confirm or disconnect). */
export async function lmConnect (link: PrimaryLink, dlsap: number, slsap: number, userData: Uint8Array = new Uint8Array(0)): Promise<LmpPdu> {
  await sendPdu(link, { kind: 'connect', dlsap, slsap, userData })
  return await expectPdu(link, p => (p.kind === 'connect-confirm' || p.kind === 'disconnect') && p.dlsap === slsap && p.slsap === dlsap, `an answer to LM connect ${slsap}->${dlsap} (IrLMP 1.1 4.1.2)`)
}

export interface IasAnswer { returnCode: number, entries: IasEntry[], frames: number, body: Uint8Array }

/** A whole GetValueByClass on a fresh IAS connection (IrLMP 1.1 4.3), then LM disconnect. */
export async function iasQuery (link: PrimaryLink, className: string, attributeName: string, opts: IasOptions = {}): Promise<IasAnswer> {
  const slsap = opts.slsap ?? TESTER_LSAP.IAS_CLIENT
  const c = await lmConnect(link, 0, slsap)
  if (c.kind !== 'connect-confirm') throw new CaseVerdict('FAIL', `the IAS selector 0x00 refused an LM connect (IrLMP 1.1 3.3.1: every device has IAS): ${c.kind}`)
  const a = await iasOn(link, className, attributeName, opts)
  await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap, reason: 0x01, userData: new Uint8Array(0) })
  return a
}

export interface IasOptions { frameMax?: number, body?: Uint8Array, opcode?: number, slsap?: number }

/** One IAS operation on an IAS connection already open from `opts.slsap`. */
export async function iasOn (link: PrimaryLink, className: string, attributeName: string, opts: IasOptions = {}): Promise<IasAnswer> {
  const slsap = opts.slsap ?? TESTER_LSAP.IAS_CLIENT
  const body = opts.body ?? (() => { const e = encodeGetValueByClass({ className, attributeName }); if (!e.ok) throw new Error(e.error.message); return e.value })()
  const opcode = opts.opcode ?? IAP_OPCODE.GET_VALUE_BY_CLASS
  const frames = segmentIap(opcode, body, opts.frameMax ?? Math.min(60, (link.params?.txDataSize ?? 64) - 2))
  const fromIas = (p: LmpPdu): p is LmpPdu & { kind: 'data' } => p.kind === 'data' && p.slsap === 0 && p.dlsap === slsap
  for (const [i, f] of frames.entries()) {
    await sendPdu(link, { kind: 'data', dlsap: 0, slsap, data: f }, frames.length > 1 ? `IAP frame ${i + 1} of ${frames.length}` : undefined)
    if (i < frames.length - 1) {
      const ack = await expectPdu(link, p => fromIas(p), 'an IAP Ack for a request frame without Lst (IrLMP 1.1 4.2.2)') as LmpPdu & { kind: 'data' }
      const ctl = parseIapControl(ack.data[0] ?? 0)
      if (!ctl.ack) throw new CaseVerdict('FAIL', `answered a non-last IAP request frame with a frame that is not an Ack (control 0x${(ack.data[0] ?? 0).toString(16)})`)
    }
  }
  const parts: Uint8Array[] = []
  let n = 0
  for (;;) {
    const p = await expectPdu(link, p => fromIas(p), 'the IAS response (IrLMP 1.1 4.3)') as LmpPdu & { kind: 'data' }
    if (p.data.length === 0) throw new CaseVerdict('FAIL', 'an empty IAP frame')
    const ctl = parseIapControl(p.data[0])
    if (ctl.ack) continue
    n++
    if (ctl.opcode !== opcode) throw new CaseVerdict('FAIL', `IAS answered opcode ${ctl.opcode}, asked ${opcode}`)
    parts.push(p.data.subarray(1))
    if (ctl.lst) break
    if (n > 64) throw new CaseVerdict('FAIL', 'an IAS response of more than 64 frames')
    await sendPdu(link, { kind: 'data', dlsap: 0, slsap, data: iapAck(opcode) }, 'IAP Ack')
  }
  const all = concat(parts)
  if (opcode !== IAP_OPCODE.GET_VALUE_BY_CLASS) return { returnCode: all[0] ?? -1, entries: [], frames: n, body: all }
  const parsed = parseGetValueByClassResponse(all)
  if (!parsed.ok) throw new CaseVerdict('FAIL', `the IAS response does not decode: ${parsed.error.message}`)
  return { ...parsed.value, frames: n, body: all }
}

/** The LSAP of an IAS class's `IrDA:TinyTP:LsapSel`, or N/A-worthy undefined. */
export async function ttpLsapOf (link: PrimaryLink, className: string): Promise<number | undefined> {
  const a = await iasQuery(link, className, 'IrDA:TinyTP:LsapSel')
  const v = a.entries[0]?.value
  return a.returnCode === 0 && v?.type === 'integer' ? v.value : undefined
}

/**
 * A TinyTP connection from the tester (TinyTP 1.1 2.2): counts credit both ways and checks on
 * every PDU that the target never sends more data PDUs than we granted.
 */
export class TtpSession {
  /** Data PDUs we may still send. */
  sendCredit: number
  /** Data PDUs the target may still send us. */
  granted: number
  /** Reassembled SDUs received, and the segments of the one in progress. */
  readonly sdus: Uint8Array[] = []
  private partial: Uint8Array[] = []
  /** Credit rule breaches seen (a MUST of TinyTP 1.1 2.2.2). */
  readonly overruns: string[] = []
  /** Every data PDU received: [more, data length, credit]. */
  readonly pdus: Array<{ more: boolean, length: number, credit: number }> = []

  private constructor (readonly link: PrimaryLink, readonly dlsap: number, readonly slsap: number, readonly peer: { credit: number, maxSduSize?: number }, initialGrant: number) {
    this.sendCredit = peer.credit
    this.granted = initialGrant
    this.seen = link.received.length
  }

  static async connect (link: PrimaryLink, dlsap: number, opts: { credit?: number, maxSduSize?: number, slsap?: number } = {}): Promise<TtpSession> {
    const slsap = opts.slsap ?? TESTER_LSAP.TTP
    const credit = opts.credit ?? 7
    const userData = TtpConnectPdu.emit({ credit, ...(opts.maxSduSize !== undefined ? { maxSduSize: opts.maxSduSize } : {}), userData: new Uint8Array(0) })
    const c = await lmConnect(link, dlsap, slsap, userData)
    if (c.kind !== 'connect-confirm') throw new CaseVerdict('FAIL', `the TinyTP service refused the connection: ${c.kind}`)
    const t = TtpConnectPdu.parse(c.userData)
    if (!t.ok) throw new CaseVerdict('FAIL', `the connect confirm carries no valid TinyTP connect PDU: ${t.error.message} (TinyTP 1.1 2.2.1)`)
    return new TtpSession(link, dlsap, slsap, { credit: t.value.credit, ...(t.value.maxSduSize !== undefined ? { maxSduSize: t.value.maxSduSize } : {}) }, credit)
  }

  /** Sends one data PDU (segment) granting `give` more credit; a PDU with no data is a credit-only PDU. */
  async send (data: Uint8Array, opts: { more?: boolean, give?: number } = {}): Promise<void> {
    const give = opts.give ?? 0
    if (data.length > 0) {
      if (this.sendCredit <= 0) {
        this.link.st.flag('TinyTP: no credit to send with')
        throw new CaseVerdict('FAIL', 'the device granted no TinyTP credit to send with (TinyTP 1.1 2.2.2: a receiver grants credit, initially and as it consumes data)')
      }
      this.sendCredit--
    }
    this.granted += give
    this.link.sendI(emitLmpPdu({ kind: 'data', dlsap: this.dlsap, slsap: this.slsap, data: TtpDataPdu.emit({ more: opts.more ?? false, credit: give, data }) }))
    this.take(await this.link.answer())
  }

  /** Polls (RR) until `n` whole SDUs have arrived in all, or `ms` pass. */
  async receive (n: number, ms = UPPER_MS): Promise<Uint8Array[]> {
    const deadline = this.link.st.now() + ms
    while (this.sdus.length < n && this.link.st.now() < deadline) {
      this.take(await this.link.exchange())
      if (this.sdus.length < n) await this.link.st.wait(20)
    }
    return this.sdus
  }

  /** Polls `times` times without granting credit, collecting whatever comes. */
  async idle (times: number): Promise<void> {
    for (let i = 0; i < times; i++) this.take(await this.link.exchange())
  }

  async disconnect (): Promise<void> {
    await sendPdu(this.link, { kind: 'disconnect', dlsap: this.dlsap, slsap: this.slsap, reason: 0x01, userData: new Uint8Array(0) })
  }

  private take (frames: Array<{ frame?: { kind: string } }>): void {
    void frames
    for (;;) {
      const idx = this.nextIndex()
      if (idx === undefined) return
      const p = pduOf(this.link.received[idx])
      this.seen = idx + 1
      if (p === undefined || p.kind !== 'data' || p.slsap !== this.dlsap || p.dlsap !== this.slsap) continue
      const d = TtpDataPdu.parse(p.data)
      if (!d.ok) { this.overruns.push(`undecodable TinyTP PDU: ${d.error.message}`); continue }
      this.pdus.push({ more: d.value.more, length: d.value.data.length, credit: d.value.credit })
      this.sendCredit += d.value.credit
      if (d.value.data.length === 0) continue
      if (this.granted <= 0) {
        this.overruns.push(`data PDU ${this.pdus.length} arrived with no credit left (TinyTP 1.1 2.2.2)`)
        this.link.st.flag('TinyTP: a data PDU beyond the credit we granted')
      }
      this.granted--
      this.partial.push(d.value.data.slice())
      if (!d.value.more) { this.sdus.push(concat(this.partial)); this.partial = [] }
    }
  }

  private seen: number
  private nextIndex (): number | undefined { return this.seen < this.link.received.length ? this.seen : undefined }
}

export function concat (parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}

export const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)
