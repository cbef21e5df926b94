/*!
 * Segmentation and reassembly (TinyTP 1.1 SAR). An SDU leaves as one or more data PDUs of at
 * most `maxSegSize` bytes each; every segment but the last has M set. The receiver joins
 * segments until one arrives with M clear.
 *
 * The receiver's MaxSduSize bounds reassembly: 0 means SAR is off, the M bit is ignored and
 * every data PDU is an SDU of its own. An SDU that grows past MaxSduSize keeps its first
 * MaxSduSize bytes, the rest is discarded, and it is delivered marked truncated (TinyTP's
 * TTP-Data.indication status; Linux irttp.c does the same).
 */

/** One segment to send. */
export interface Segment {
  data: Uint8Array
  /** M: more segments of the same SDU follow. */
  more: boolean
  /**
   * `data` with room in front for IrLMP's header and ours (`LM_HEADROOM` + 1 bytes), when it was
   * cut that way (stream bytes): both headers are written in place, no copy.
   */
  headroom?: Uint8Array
}

/** Splits an SDU (at least one byte) into segments of at most `maxSegSize` bytes, as views. */
export function segment (sdu: Uint8Array, maxSegSize: number): Segment[] {
  const out: Segment[] = []
  for (let at = 0; at < sdu.length; at += maxSegSize) {
    const end = Math.min(sdu.length, at + maxSegSize)
    out.push({ data: sdu.subarray(at, end), more: end < sdu.length })
  }
  return out
}

/** A received SDU. */
export interface ReceivedSdu {
  data: Uint8Array
  /** True when the SDU exceeded our MaxSduSize and its tail was discarded. */
  truncated: boolean
  /** Bytes discarded from its tail (0 unless truncated). */
  discarded: number
}

/** Joins segments into SDUs under a MaxSduSize limit. */
export class Reassembler {
  private parts: Uint8Array[] = []
  private kept = 0
  private dropped = 0

  /** @param maxSduSize our MaxSduSize; 0 turns SAR off. */
  constructor (readonly maxSduSize: number) {}

  /** Bytes of the unfinished SDU (kept plus discarded). */
  get pendingBytes (): number { return this.kept + this.dropped }

  /** Adds one segment (its bytes are handed over, not copied); returns the SDU it completes, if any. */
  push (data: Uint8Array, more: boolean): ReceivedSdu | undefined {
    if (this.maxSduSize === 0) return { data, truncated: false, discarded: 0 }
    const room = this.maxSduSize - this.kept
    const keep = Math.min(room, data.length)
    if (keep > 0) this.parts.push(data.subarray(0, keep))
    this.kept += keep
    this.dropped += data.length - keep
    if (more) return undefined
    const sdu: ReceivedSdu = { data: concat(this.parts, this.kept), truncated: this.dropped > 0, discarded: this.dropped }
    this.reset()
    return sdu
  }

  /** Drops the unfinished SDU; returns how many bytes it had. */
  reset (): number {
    const n = this.pendingBytes
    this.parts = []
    this.kept = 0
    this.dropped = 0
    return n
  }
}

function concat (parts: Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(total)
  let at = 0
  for (const p of parts) { out.set(p, at); at += p.length }
  return out
}
