/*!
 * pcap files on disk. Writes are synchronous appends, so a capture that crashes midway keeps
 * every record written before the crash (a pcap reader stops cleanly at the last whole record).
 */
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs'
import { LocalProtocolError, type Decoded } from '@irdakit/core'
import { decodePcap, encodePcap, encodePcapHeader, encodePcapRecord, type PcapOptions, type PcapRecord } from './pcap.js'

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
