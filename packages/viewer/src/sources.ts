/*!
 * Where a {@link CaptureStore}'s frames come from: a pcap file read in the background by the
 * capture package's streaming PcapParser, a piece at a time (the page can draw while it goes),
 * or a live source whose frames are appended to a pcap as they pass (the store reads its bytes
 * back from there).
 */
import { openSync, readSync, closeSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { encodePcapHeader, encodePcapRecord, PcapParser, PCAP_GLOBAL_HEADER_LEN, PCAP_MAX_RECORD, type PcapOptions } from '@irdakit/capture'
import { CaptureStore, PCAP_FRAME_OVERHEAD, PCAP_HEADER, type SpeedTracker, type ViewRecord } from './store.js'

/** Why `path` is not a readable IrDA pcap, or undefined when its header is fine. */
export function pcapHeaderProblem (path: string): string | undefined {
  let fd: number
  try { fd = openSync(path, 'r') } catch (e) { return `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }
  try {
    const head = new Uint8Array(PCAP_GLOBAL_HEADER_LEN)
    const n = readSync(fd, head, 0, head.length, 0)
    const parser = new PcapParser()
    parser.feed(head.subarray(0, n), () => {})
    if (parser.error !== undefined) return `${path} is not an IrDA pcap: ${parser.error.replace(/^pcap: /, '')}`
    if (!parser.headerSeen) return `${path} is not an IrDA pcap: shorter than the 24-byte global header`
    return undefined
  } finally {
    closeSync(fd)
  }
}

/** Bytes read per turn of the event loop while indexing: small, so the page's requests are answered between pieces. */
const INDEX_PIECE = 128 * 1024

/**
 * Indexes the pcap at `path` in the background, {@link INDEX_PIECE} bytes a turn of the event
 * loop (the server answers the page in between). `store.status.done` turns true when it is
 * read; `indexed` resolves then (never rejects: a bad file ends in `store.status.error`).
 */
export function openPcapStore (path: string, opts: { speedTracker?: SpeedTracker, maxFrames?: number, source?: string } = {}): { store: CaptureStore, indexed: Promise<void> } {
  const store = new CaptureStore(path, { ...opts, source: opts.source ?? path })
  const indexed = indexFile(path, store).then(outcome => store.finish(outcome), (e: unknown) => {
    store.finish({ error: (e as NodeJS.ErrnoException).code ?? String(e) })
  })
  return { store, indexed }
}

async function indexFile (path: string, store: CaptureStore): Promise<{ error?: string, truncated?: string }> {
  const parser = new PcapParser()
  // Room for a piece after the largest record the parser may be holding on to.
  const buf = new Uint8Array(INDEX_PIECE + PCAP_MAX_RECORD + 64)
  let filled = 0
  let offset = PCAP_HEADER
  const file = await open(path, 'r')
  try {
    for (;;) {
      const { bytesRead } = await file.read(buf, filled, Math.min(INDEX_PIECE, buf.length - filled), null)
      filled += bytesRead
      const used = parser.feed(buf.subarray(0, filled), rec => {
        store.add({ timeMs: rec.timestampMs, direction: rec.direction, frame: rec.frame }, offset + PCAP_FRAME_OVERHEAD)
        offset += PCAP_FRAME_OVERHEAD + rec.frame.length
      })
      if (parser.error !== undefined) return { error: parser.error.replace(/^pcap: /, '') }
      buf.copyWithin(0, used, filled)
      filled -= used
      if (bytesRead === 0) break
    }
  } finally {
    await file.close()
  }
  const truncated = parser.truncation(filled)
  return truncated === undefined ? {} : { truncated: truncated.replace(/^pcap: /, '') }
}

/**
 * A store fed as frames pass, saving them to `pcap`, which the store reads the bytes back from.
 * Each record is written before {@link frame} returns (one write each, not gathered), so the
 * page can ask for a frame's bytes the moment the frame is counted.
 */
export class LiveCapture {
  readonly store: CaptureStore
  private fd: number | undefined
  private readonly pcapOpts: PcapOptions
  private offset = PCAP_HEADER

  constructor (readonly pcap: string, opts: { source: string, epochMs?: number, speedTracker?: SpeedTracker, maxFrames?: number }) {
    this.pcapOpts = opts.epochMs !== undefined ? { epochMs: opts.epochMs } : {}
    this.fd = openSync(pcap, 'w')
    writeSync(this.fd, encodePcapHeader())
    this.store = new CaptureStore(pcap, { source: opts.source, live: true, ...(opts.speedTracker !== undefined ? { speedTracker: opts.speedTracker } : {}), ...(opts.maxFrames !== undefined ? { maxFrames: opts.maxFrames } : {}) })
  }

  /** Saves and indexes one frame (after the source ended: ignored). */
  frame (rec: ViewRecord): void {
    if (this.fd === undefined) return
    writeSync(this.fd, encodePcapRecord({ timestampMs: rec.timeMs, direction: rec.direction, frame: rec.frame }, this.pcapOpts))
    this.store.add(rec, this.offset + PCAP_FRAME_OVERHEAD)
    this.offset += PCAP_FRAME_OVERHEAD + rec.frame.length
  }

  /** The source ended (with `error` when it failed); the pcap is closed, the store stays readable. */
  end (error?: string): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
    if (!this.store.status.done) this.store.finish(error !== undefined ? { error } : {})
  }
}
