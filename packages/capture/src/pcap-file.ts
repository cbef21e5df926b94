/*!
 * pcap files on disk. Writes are synchronous appends, so a capture that crashes midway keeps
 * every record written before the crash (a pcap reader stops cleanly at the last whole record).
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs'
import { fail, LocalProtocolError, ok, type Decoded } from '@irdakit/core'
import { decodePcap, encodePcap, encodePcapHeader, encodePcapRecord, PCAP_MAX_RECORD, PcapParser, type PcapOptions, type PcapRecord } from './pcap.js'

/** Streams records to a pcap file (link type 144), one synchronous write per record. */
export class PcapWriter {
  private fd: number | undefined
  private readonly opts: PcapOptions
  /** Records written so far. */
  count = 0

  constructor (readonly path: string, opts: PcapOptions = {}) {
    this.opts = { ...opts }
    this.fd = openSync(path, 'w')
    writeSync(this.fd, encodePcapHeader())
  }

  write (rec: PcapRecord): void {
    if (this.fd === undefined) throw new LocalProtocolError(`PcapWriter(${this.path}) is closed`)
    writeSync(this.fd, encodePcapRecord(rec, this.opts))
    this.count++
  }

  /** Closes the file; further writes throw. Closing twice is harmless. */
  close (): void {
    if (this.fd === undefined) return
    closeSync(this.fd)
    this.fd = undefined
  }
}

/** Writes a whole capture at once. */
export function writePcap (path: string, records: Iterable<PcapRecord>, opts: PcapOptions = {}): void {
  writeFileSync(path, encodePcap(records, opts))
}

/** Reads a capture from bytes or from a file path (file-system errors throw; bad bytes do not). */
export function readPcap (source: Uint8Array | string, opts: PcapOptions = {}): Decoded<PcapRecord[]> {
  const bytes = typeof source === 'string' ? new Uint8Array(readFileSync(source)) : source
  return decodePcap(bytes, opts)
}

/** How much of a file {@link forEachPcapRecord} reads at a time. */
const READ_CHUNK = 1 << 20

/**
 * Streams a capture file: calls `onRecord` for each record in order, reading the file a
 * megabyte at a time, so memory stays flat whatever the file's size. The record's `frame` is
 * a view valid during the call only (copy what you keep). Returns the number of records; a
 * file-system error throws; bad bytes do not: they fail the result, except a cut-short last
 * record, which `opts.onTruncated` may accept as {@link readPcap} does.
 */
export function forEachPcapRecord (path: string, onRecord: (rec: PcapRecord) => void, opts: PcapOptions = {}): Decoded<number> {
  const parser = new PcapParser(opts)
  const buf = new Uint8Array(READ_CHUNK + PCAP_MAX_RECORD + 64)
  let filled = 0
  const fd = openSync(path, 'r')
  try {
    for (;;) {
      const n = readSync(fd, buf, filled, Math.min(READ_CHUNK, buf.length - filled), null)
      filled += n
      const used = parser.feed(buf.subarray(0, filled), onRecord)
      if (parser.error !== undefined) return fail(parser.error)
      buf.copyWithin(0, used, filled) // the start of a record that continues in the next read
      filled -= used
      if (n === 0) break
    }
  } finally {
    closeSync(fd)
  }
  const truncated = parser.truncation(filled)
  if (truncated === undefined) return ok(parser.records)
  if (opts.onTruncated === undefined || !parser.headerSeen) return fail(truncated)
  opts.onTruncated(truncated)
  return ok(parser.records)
}
