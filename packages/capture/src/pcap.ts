/*!
 * pcap files of IrLAP frames, link type 144 (LINKTYPE_LINUX_IRDA), as Linux's irdadump and
 * Wireshark know them.
 *
 * File: the classic 24-byte pcap header (we write little-endian, microsecond timestamps), then
 * one record per frame. Each record's data is a 16-byte Linux "cooked" pseudo-header, big-endian:
 *   0-1 packet type (0 = received, 4 = sent), 2-3 ARPHRD_IRDA (783), 4-5 address length (0),
 *   6-13 address (zeros), 14-15 protocol 0x0017 (ETH_P_IRDA);
 * then the IrLAP frame: address, control, information; no BOF/EOF, no FCS.
 */
import { fail, ok, type Decoded } from '@irdakit/core'

export const LINKTYPE_LINUX_IRDA = 144
/** ARPHRD_IRDA, the hardware type in the pseudo-header. */
export const ARPHRD_IRDA = 783
/** ETH_P_IRDA, the protocol in the pseudo-header; Wireshark checks it. */
export const ETH_P_IRDA = 0x0017
export const PCAP_GLOBAL_HEADER_LEN = 24
export const PCAP_RECORD_HEADER_LEN = 16
export const IRDA_PSEUDO_HEADER_LEN = 16
/** Packet types of the pseudo-header. */
export const PKTTYPE_IN = 0
export const PKTTYPE_OUT = 4
/** Default snapshot length: any IrLAP frame (2050 bytes + pseudo-header) fits. */
export const PCAP_SNAPLEN = 65535

/**
 * Captures are deterministic: timestamps are `epochMs` + the record's `timestampMs`, and the
 * default epoch is this fixed instant (2000-01-01T00:00:00Z), not the wall clock.
 */
export const DEFAULT_PCAP_EPOCH_MS = 946_684_800_000

const MAGIC_US = 0xA1B2C3D4
const MAGIC_NS = 0xA1B23C4D

/** One captured frame. `frame` is IrLAP A + C + I without FCS. */
export interface PcapRecord {
  /** Milliseconds since the capture's epoch (kept to the microsecond). */
  timestampMs: number
  /** 'out' = sent by the capturing station, 'in' = received by it. */
  direction: 'in' | 'out'
  frame: Uint8Array
}

export interface PcapOptions {
  /** Wall time (ms since 1970) that `timestampMs` 0 stands for. Default {@link DEFAULT_PCAP_EPOCH_MS}. */
  epochMs?: number
  /**
   * Reading: when given, a capture whose last record is cut short (a capture still being
   * written, a copy that stopped early) gives the records before it, and this hears why, as
   * tshark prints the good records and then warns. Without it, truncation fails the whole read.
   */
  onTruncated?: (message: string) => void
}

/** The 24-byte global header for link type 144. */
export function encodePcapHeader (): Uint8Array {
  const out = new Uint8Array(PCAP_GLOBAL_HEADER_LEN)
  const v = new DataView(out.buffer)
  v.setUint32(0, MAGIC_US, true)
  v.setUint16(4, 2, true) // version 2.4
  v.setUint16(6, 4, true)
  v.setInt32(8, 0, true) // thiszone
  v.setUint32(12, 0, true) // sigfigs
  v.setUint32(16, PCAP_SNAPLEN, true)
  v.setUint32(20, LINKTYPE_LINUX_IRDA, true)
  return out
}

/** One record: pcap record header, IrDA pseudo-header, frame. */
export function encodePcapRecord (rec: PcapRecord, opts: PcapOptions = {}): Uint8Array {
  const out = new Uint8Array(pcapRecordLength(rec))
  encodePcapRecordInto(rec, out, 0, opts)
  return out
}

/** Bytes {@link encodePcapRecord} gives for `rec`. */
export const pcapRecordLength = (rec: PcapRecord): number => PCAP_RECORD_HEADER_LEN + IRDA_PSEUDO_HEADER_LEN + rec.frame.length

/** Writes {@link encodePcapRecord}'s bytes into `out` at `o` (room is the caller's to check); returns the end. */
export function encodePcapRecordInto (rec: PcapRecord, out: Uint8Array, o: number, opts: PcapOptions = {}): number {
  const epochUs = Math.round((opts.epochMs ?? DEFAULT_PCAP_EPOCH_MS) * 1000)
  const totalUs = epochUs + Math.round(rec.timestampMs * 1000)
  const dataLen = IRDA_PSEUDO_HEADER_LEN + rec.frame.length
  const v = new DataView(out.buffer, out.byteOffset + o, PCAP_RECORD_HEADER_LEN + IRDA_PSEUDO_HEADER_LEN)
  v.setUint32(0, Math.floor(totalUs / 1e6), true)
  v.setUint32(4, totalUs % 1e6, true)
  v.setUint32(8, dataLen, true)
  v.setUint32(12, dataLen, true)
  const p = PCAP_RECORD_HEADER_LEN
  v.setUint16(p, rec.direction === 'out' ? PKTTYPE_OUT : PKTTYPE_IN, false)
  v.setUint16(p + 2, ARPHRD_IRDA, false)
  v.setUint16(p + 4, 0, false) // address length
  for (let i = 6; i < 14; i++) v.setUint8(p + i, 0) // address: the buffer may be reused
  v.setUint16(p + 14, ETH_P_IRDA, false)
  out.set(rec.frame, o + p + IRDA_PSEUDO_HEADER_LEN)
  return o + p + dataLen
}

/** A whole pcap file in memory. */
export function encodePcap (records: Iterable<PcapRecord>, opts: PcapOptions = {}): Uint8Array {
  const parts = [encodePcapHeader()]
  for (const r of records) parts.push(encodePcapRecord(r, opts))
  return concat(parts)
}

function concat (parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let o = 0
  for (const p of parts) { out.set(p, o); o += p.length }
  return out
}

/**
 * The largest record a reader accepts, as tshark: larger lengths are a damaged or hostile file,
 * and a streaming reader must not wait for gigabytes that will never come.
 */
export const PCAP_MAX_RECORD = 262144

/**
 * An incremental pcap reader for link type 144: feed it the file's bytes in any pieces and it
 * hands out each whole record as soon as it has it, so a capture of any size is read in
 * bounded memory. Accepts both byte orders and both the microsecond and nanosecond magics.
 * Every record must carry the IrDA pseudo-header with packet type 0..3 (received) or 4 (sent)
 * and protocol 0x0017. Never throws on bad bytes: {@link PcapParser.error} says what was wrong,
 * and the parser takes nothing more after it.
 */
export class PcapParser {
  /** Records handed out so far. */
  records = 0
  /** Why the bytes are not a capture, once they are not. */
  error: string | undefined
  private le = true
  private nanos = false
  /** True once the global header has been read and accepted. */
  headerSeen = false
  private readonly epochUs: number

  constructor (opts: PcapOptions = {}) {
    this.epochUs = Math.round((opts.epochMs ?? DEFAULT_PCAP_EPOCH_MS) * 1000)
  }

  /**
   * Reads the global header and every whole record in `bytes`, calling `onRecord` for each.
   * The record's `frame` is a view into `bytes`, valid during the call only (copy what you
   * keep). Returns how many bytes it used: the caller passes the rest again, with what follows.
   */
  feed (bytes: Uint8Array, onRecord: (rec: PcapRecord) => void): number {
    if (this.error !== undefined) return 0
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    let o = 0
    if (!this.headerSeen) {
      if (bytes.length < PCAP_GLOBAL_HEADER_LEN) return 0
      const headerError = this.readHeader(v)
      if (headerError !== undefined) { this.error = headerError; return 0 }
      o = PCAP_GLOBAL_HEADER_LEN
    }
    const le = this.le
    while (o + PCAP_RECORD_HEADER_LEN <= bytes.length) {
      const n = this.records
      const inclLen = v.getUint32(o + 8, le)
      if (inclLen > PCAP_MAX_RECORD) { this.error = `pcap: record ${n} claims ${inclLen} bytes, more than the ${PCAP_MAX_RECORD} a capture may hold`; return o }
      const d = o + PCAP_RECORD_HEADER_LEN
      if (d + inclLen > bytes.length) break
      if (inclLen < IRDA_PSEUDO_HEADER_LEN) { this.error = `pcap: record ${n} shorter than the IrDA pseudo-header`; return o }
      const pkttype = v.getUint16(d, false)
      const protocol = v.getUint16(d + 14, false)
      if (protocol !== ETH_P_IRDA) { this.error = `pcap: record ${n} protocol 0x${protocol.toString(16)}, expected 0x0017`; return o }
      if (pkttype !== PKTTYPE_OUT && pkttype > 3) { this.error = `pcap: record ${n} packet type 0x${pkttype.toString(16)} is not a frame`; return o }
      const sec = v.getUint32(o, le)
      const frac = v.getUint32(o + 4, le)
      const us = sec * 1e6 + (this.nanos ? Math.round(frac / 1000) : frac)
      this.records++
      onRecord({
        timestampMs: (us - this.epochUs) / 1000,
        direction: pkttype === PKTTYPE_OUT ? 'out' : 'in',
        frame: bytes.subarray(d + IRDA_PSEUDO_HEADER_LEN, d + inclLen),
      })
      o = d + inclLen
    }
    return o
  }

  /** What is wrong with a capture that ended with `left` bytes unused, or undefined when it ended cleanly. */
  truncation (left: number): string | undefined {
    if (!this.headerSeen) return 'pcap: shorter than the 24-byte global header'
    if (left === 0) return undefined
    return `pcap: record ${this.records} ${left < PCAP_RECORD_HEADER_LEN ? 'header' : 'data'} truncated`
  }

  private readHeader (v: DataView): string | undefined {
    const magicLe = v.getUint32(0, true)
    const magicBe = v.getUint32(0, false)
    if (magicLe === MAGIC_US || magicLe === MAGIC_NS) { this.le = true; this.nanos = magicLe === MAGIC_NS } else if (magicBe === MAGIC_US || magicBe === MAGIC_NS) { this.le = false; this.nanos = magicBe === MAGIC_NS } else {
      return `pcap: unknown magic 0x${magicBe.toString(16).padStart(8, '0')}`
    }
    const linkType = v.getUint32(20, this.le) & 0x0FFFFFFF // the top bits may carry FCS-length flags
    if (linkType !== LINKTYPE_LINUX_IRDA) return `pcap: link type ${linkType}, expected ${LINKTYPE_LINUX_IRDA} (LINUX_IRDA)`
    this.headerSeen = true
    return undefined
  }
}

/**
 * Decodes a pcap of link type 144 held in memory (see {@link PcapParser}); each record's frame
 * is an array of its own. Never throws on bad bytes.
 */
export function decodePcap (bytes: Uint8Array, opts: PcapOptions = {}): Decoded<PcapRecord[]> {
  const parser = new PcapParser(opts)
  const records: PcapRecord[] = []
  const used = parser.feed(bytes, rec => records.push({ ...rec, frame: rec.frame.slice() }))
  if (parser.error !== undefined) return fail(parser.error)
  const truncated = parser.truncation(bytes.length - used)
  if (truncated === undefined) return ok(records)
  if (opts.onTruncated === undefined || !parser.headerSeen) return fail(truncated)
  opts.onTruncated(truncated)
  return ok(records)
}
