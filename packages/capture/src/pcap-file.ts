/*!
 * pcap files on disk. Writes are synchronous appends, so a capture that crashes midway keeps
 * every record written before the crash (a pcap reader stops cleanly at the last whole record).
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
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

/** How much of a file the record streams read at a time. */
const READ_CHUNK = 1 << 20

/** What both file streams share: the read buffer, the parser, and the start of a record a read cut off. */
class ChunkedPcapReader {
  private readonly parser: PcapParser
  readonly buf = new Uint8Array(READ_CHUNK + PCAP_MAX_RECORD + 64)
  filled = 0

  constructor (private readonly opts: PcapOptions, private readonly onRecord: (rec: PcapRecord) => void) {
    this.parser = new PcapParser(opts)
  }

  /** How many bytes the next read may bring (after `filled`). */
  get room (): number { return Math.min(READ_CHUNK, this.buf.length - this.filled) }

  /** Parses after a read of `n` bytes; false when the bytes are not a capture (stop reading). */
  took (n: number): boolean {
    this.filled += n
    const used = this.parser.feed(this.buf.subarray(0, this.filled), this.onRecord)
    if (this.parser.error !== undefined) return false
    this.buf.copyWithin(0, used, this.filled)
    this.filled -= used
    return true
  }

  result (): Decoded<number> {
    if (this.parser.error !== undefined) return fail(this.parser.error)
    const truncated = this.parser.truncation(this.filled)
    if (truncated === undefined) return ok(this.parser.records)
    if (this.opts.onTruncated === undefined || !this.parser.headerSeen) return fail(truncated)
    this.opts.onTruncated(truncated)
    return ok(this.parser.records)
  }
}

/**
 * Streams a capture file: calls `onRecord` for each record in order, reading the file a
 * megabyte at a time, so memory stays flat whatever the file's size. The record's `frame` is
 * a view valid during the call only (copy what you keep). Returns the number of records; a
 * file-system error throws; bad bytes do not: they fail the result, except a cut-short last
 * record, which `opts.onTruncated` may accept as {@link readPcap} does.
 */
export function forEachPcapRecord (path: string, onRecord: (rec: PcapRecord) => void, opts: PcapOptions = {}): Decoded<number> {
  const reader = new ChunkedPcapReader(opts, onRecord)
  const fd = openSync(path, 'r')
  try {
    for (;;) {
      const n = readSync(fd, reader.buf, reader.filled, reader.room, null)
      if (!reader.took(n) || n === 0) break
    }
  } finally {
    closeSync(fd)
  }
  return reader.result()
}

export interface PcapStreamOptions extends PcapOptions {
  /**
   * Called before each read (a megabyte of capture); a promise returned holds the next read
   * until it resolves. A consumer whose output is slower than the decoding (a pipe to a pager)
   * returns its drain here, so nothing piles up in memory.
   */
  beforeRead?: () => Promise<void> | undefined
}

/**
 * {@link forEachPcapRecord} that lets the event loop run between reads, for a program that must
 * notice meanwhile that its reader went away (a closed pipe) or that it was interrupted.
 */
export async function forEachPcapRecordAsync (path: string, onRecord: (rec: PcapRecord) => void, opts: PcapStreamOptions = {}): Promise<Decoded<number>> {
  const reader = new ChunkedPcapReader(opts, onRecord)
  const file = await open(path, 'r')
  try {
    for (;;) {
      const wait = opts.beforeRead?.()
      if (wait !== undefined) await wait
      const { bytesRead } = await file.read(reader.buf, reader.filled, reader.room, null)
      if (!reader.took(bytesRead) || bytesRead === 0) break
    }
  } finally {
    await file.close()
  }
  return reader.result()
}
