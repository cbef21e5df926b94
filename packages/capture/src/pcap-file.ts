/*!
 * pcap files on disk. Writes are synchronous appends (a burst of records within one turn of the
 * event loop is gathered into one), so a capture that crashes midway keeps every record written
 * before the crash (a pcap reader stops cleanly at the last whole record).
 */
import { closeSync, openSync, readFileSync, readSync, writeFileSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { fail, LocalProtocolError, ok, type Decoded } from '@irdakit/core'
import { decodePcap, encodePcap, encodePcapHeader, encodePcapRecord, encodePcapRecordInto, pcapRecordLength, PCAP_MAX_RECORD, PcapParser, type PcapOptions, type PcapRecord } from './pcap.js'

/** Records a burst gathers before they are written: any frame fits, and a write costs little per record. */
const BATCH_BYTES = 1 << 16

/** Writers with records gathered and not yet written: the process's exit writes them. */
const gathering = new Set<PcapWriter>()
let exitHooked = false

/**
 * Streams records to a pcap file (link type 144). The first record of each turn of the event
 * loop is written at once; the ones that follow it in the same turn (a burst: a virtual-time
 * emulator run, a converter's loop) are gathered, 64 KiB at a time, and written at the end of
 * the turn. A burst then costs a write per 64 KiB instead of one per record, and the file still
 * holds every record of the turns before (what a reader, or a ^C, finds). close() and the
 * process's exit write what is gathered. A write that fails at the end of a turn (a reader of
 * a fifo gone) throws from the next write() or close().
 */
export class PcapWriter {
  private fd: number | undefined
  private readonly opts: PcapOptions
  private readonly batch = new Uint8Array(BATCH_BYTES)
  private used = 0
  /** A record was written in this turn of the event loop: the next ones are gathered. */
  private inBurst = false
  private failed: unknown
  /** Records written so far (given to write(); on disk by the end of the turn). */
  count = 0
  /** Write calls made to the file, the header's included. */
  writes = 0

  constructor (readonly path: string, opts: PcapOptions = {}) {
    this.opts = { ...opts }
    this.fd = openSync(path, 'w')
    this.writeOut(encodePcapHeader())
  }

  write (rec: PcapRecord): void {
    if (this.fd === undefined) throw new LocalProtocolError(`PcapWriter(${this.path}) is closed`)
    this.throwFailure()
    const len = pcapRecordLength(rec)
    if (!this.inBurst) {
      this.inBurst = true
      setImmediate(() => this.endOfTurn()).unref()
      if (this.used === 0) { this.writeOut(encodePcapRecord(rec, this.opts)); this.count++; return }
    }
    if (this.used + len > this.batch.length) this.flush()
    if (len > this.batch.length) this.writeOut(encodePcapRecord(rec, this.opts))
    else {
      this.used = encodePcapRecordInto(rec, this.batch, this.used, this.opts)
      gathering.add(this)
      hookExit()
    }
    this.count++
  }

  /** Closes the file after writing what is gathered; further writes throw. Closing twice is harmless. */
  close (): void {
    if (this.fd === undefined) return
    try {
      this.flush()
    } finally {
      closeSync(this.fd)
      this.fd = undefined
      gathering.delete(this)
    }
    this.throwFailure()
  }

  /** @internal Writes the gathered records now. */
  flush (): void {
    if (this.used === 0 || this.fd === undefined) return
    const n = this.used
    this.used = 0
    gathering.delete(this)
    this.writeOut(this.batch.subarray(0, n))
  }

  private endOfTurn (): void {
    this.inBurst = false
    try { this.flush() } catch (e) { this.failed ??= e }
  }

  private throwFailure (): void {
    const e = this.failed
    this.failed = undefined
    if (e !== undefined) throw e
  }

  private writeOut (bytes: Uint8Array): void {
    // A fifo (Wireshark's extcap) may take a large write in pieces.
    for (let o = 0; o < bytes.length;) { o += writeSync(this.fd!, bytes, o, bytes.length - o); this.writes++ }
  }
}

function hookExit (): void {
  if (exitHooked) return
  exitHooked = true
  process.on('exit', () => {
    for (const w of gathering) { try { w.flush() } catch { /* exiting: nothing left to tell */ } }
  })
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
