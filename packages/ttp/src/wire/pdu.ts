/*!
 * TinyTP PDUs (TinyTP 1.1, TTP-PDU formats). Every TTP PDU starts with one header byte:
 *
 * ```
 *   bit 7      bits 6..0
 *   P or M     credit (0..127)
 * ```
 *
 * - Connect PDU (the user data of LM-Connect request/response): bit 7 is P, "parameters
 *   follow". With P set, the next byte is the length of the parameter list, then the list
 *   (see `params.ts`), then the TTP user's connect data. Credit is the initial credit.
 * - Data PDU (the user data of LM-Data): bit 7 is M, "more segments of this SDU follow".
 *   Credit is new credit granted to the peer. A data PDU with no data after the header is a
 *   dataless flow PDU: it only carries credit and consumes none.
 *
 * Two levels, as in smoltcp: {@link TtpHeaderView} reads fields from bytes at fixed offsets;
 * the Repr codecs ({@link TtpDataPdu}, {@link TtpConnectPdu}) turn bytes into validated values
 * and back, and never throw on bad input (they return `Decoded<T>`).
 */
import { ok, fail, type Decoded } from '@irdakit/core'
import { parseParams, emitParams, paramsLen, type UnknownParam } from './params.js'

/** Byte offsets and masks of the TTP header. */
export const TtpHeaderField = {
  HEADER: 0,
  /** P (connect PDU) or M (data PDU). */
  FLAG: 0x80,
  CREDIT: 0x7F,
  /** In a connect PDU with P set: the parameter list length byte. */
  PLEN: 1,
} as const

/** The largest credit one header can carry. */
export const MAX_CREDIT_FIELD = 0x7F

/** The TTP header is one byte (TinyTP 1.1). */
export const TTP_HEADER_LEN = 1

/** A view over the bytes of one TTP PDU. Create it with {@link TtpHeaderView.checked}. */
export class TtpHeaderView {
  private constructor (readonly bytes: Uint8Array) {}

  /** Checks there is a header byte; after that no getter reads out of range. */
  static checked (bytes: Uint8Array): Decoded<TtpHeaderView> {
    if (bytes.length < TTP_HEADER_LEN) return fail('empty TTP PDU: no header byte')
    return ok(new TtpHeaderView(bytes))
  }

  /** Wraps a buffer the caller sized with a Repr's `bufferLen`, for emitting. */
  static forEmit (bytes: Uint8Array): TtpHeaderView { return new TtpHeaderView(bytes) }

  /** P in a connect PDU, M in a data PDU. */
  get flag (): boolean { return (this.bytes[TtpHeaderField.HEADER] & TtpHeaderField.FLAG) !== 0 }
  get credit (): number { return this.bytes[TtpHeaderField.HEADER] & TtpHeaderField.CREDIT }
  /** Everything after the header byte. */
  get body (): Uint8Array { return this.bytes.subarray(TTP_HEADER_LEN) }

  setHeader (flag: boolean, credit: number): void {
    this.bytes[TtpHeaderField.HEADER] = (flag ? TtpHeaderField.FLAG : 0) | (credit & TtpHeaderField.CREDIT)
  }
}

/** A data PDU. `data.length === 0` is a dataless flow PDU (credit only). */
export interface TtpDataPduRepr {
  /** M: more segments of this SDU follow. */
  more: boolean
  /** Credit granted to the receiver of this PDU, 0..127. */
  credit: number
  data: Uint8Array
}

/** Codec for data PDUs. `data` in a parsed value is a view into the input bytes. */
export const TtpDataPdu = {
  parse (bytes: Uint8Array): Decoded<TtpDataPduRepr> {
    const v = TtpHeaderView.checked(bytes)
    if (!v.ok) return v
    return ok({ more: v.value.flag, credit: v.value.credit, data: v.value.body })
  },
  bufferLen (r: TtpDataPduRepr): number { return TTP_HEADER_LEN + r.data.length },
  emit (r: TtpDataPduRepr, out: Uint8Array = new Uint8Array(TtpDataPdu.bufferLen(r))): Uint8Array {
    const v = TtpHeaderView.forEmit(out)
    v.setHeader(r.more, r.credit)
    // Data cut in place behind its header slot (a stream segment) is already where it goes.
    if (r.data.buffer !== out.buffer || r.data.byteOffset !== out.byteOffset + TTP_HEADER_LEN) out.set(r.data, TTP_HEADER_LEN)
    return out
  },
}

/** A connect PDU (LM-Connect request or response user data). */
export interface TtpConnectPduRepr {
  /** Initial credit granted to the receiver of this PDU, 0..127. */
  credit: number
  /**
   * MaxSduSize from the parameter list: the largest SDU the sender reassembles, 0 = no SAR.
   * `undefined` when the PDU carries no such parameter (which also means no SAR).
   */
  maxSduSize?: number
  /** Parameters with PIs TinyTP 1.1 does not define, kept so they can be reported. */
  unknownParams?: UnknownParam[]
  /** The TTP user's connect data. */
  userData: Uint8Array
}

/** Codec for connect PDUs. `userData` in a parsed value is a view into the input bytes. */
export const TtpConnectPdu = {
  parse (bytes: Uint8Array): Decoded<TtpConnectPduRepr> {
    const v = TtpHeaderView.checked(bytes)
    if (!v.ok) return v
    const { flag: hasParams, credit, body } = v.value
    if (!hasParams) return ok({ credit, userData: body })
    if (body.length < 1) return fail('TTP connect PDU has P set but no parameter length byte')
    const plen = body[0]
    const list = body.subarray(1, 1 + plen)
    if (list.length !== plen) return fail(`TTP parameter list claims ${plen} bytes, ${list.length} present`)
    const params = parseParams(list)
    if (!params.ok) return params
    const r: TtpConnectPduRepr = { credit, userData: body.subarray(1 + plen) }
    if (params.value.maxSduSize !== undefined) r.maxSduSize = params.value.maxSduSize
    if (params.value.unknown.length > 0) r.unknownParams = params.value.unknown
    return ok(r)
  },
  bufferLen (r: TtpConnectPduRepr): number {
    const plen = paramsLen(paramsOf(r))
    return TTP_HEADER_LEN + (hasParams(r) ? 1 + plen : 0) + r.userData.length
  },
  /** Sets P only when there are parameters to send, as Linux does for MaxSduSize 0. */
  emit (r: TtpConnectPduRepr, out: Uint8Array = new Uint8Array(TtpConnectPdu.bufferLen(r))): Uint8Array {
    const v = TtpHeaderView.forEmit(out)
    const withParams = hasParams(r)
    v.setHeader(withParams, r.credit)
    let at = TTP_HEADER_LEN
    if (withParams) {
      const p = paramsOf(r)
      const plen = paramsLen(p)
      out[at++] = plen
      emitParams(p, out.subarray(at, at + plen))
      at += plen
    }
    out.set(r.userData, at)
    return out
  },
}

function paramsOf (r: TtpConnectPduRepr): { maxSduSize?: number, unknown: UnknownParam[] } {
  return r.maxSduSize === undefined ? { unknown: r.unknownParams ?? [] } : { maxSduSize: r.maxSduSize, unknown: r.unknownParams ?? [] }
}

function hasParams (r: TtpConnectPduRepr): boolean {
  return r.maxSduSize !== undefined || (r.unknownParams?.length ?? 0) > 0
}
