/*!
 * pcap captures of a room: a tap that writes every transmission's frame (A + C + I) with the
 * room-clock time its airtime ended. Like a sniffer beside one station, except that it sees the
 * whole medium: frames that station sent are 'out', everything else 'in'.
 */
import { PcapWriter } from '@irdakit/capture'
import type { TapListener } from './room.js'

/** Options for `room.capture`. */
export interface CaptureOptions {
  /** Whose point of view sets the direction (sent by it: 'out'). Default: the room's first station. */
  perspective?: string
  /**
   * Wall time (ms since 1970) that room time 0 stands for. Default: the capture package's fixed
   * epoch in virtual rooms (captures are reproducible), the real start of the clock in real ones.
   */
  epochMs?: number
}

/** A running capture. */
export interface RoomCapture {
  readonly path: string
  /** Frames written so far. */
  readonly frames: number
  /** Stops capturing and closes the file (idempotent). */
  close(): void
}

/** What a capture needs from its room. */
export interface CaptureSource {
  readonly clock: { kind: 'real' | 'virtual', now(): number }
  readonly defaultPerspective: string | undefined
  tap(listener: TapListener): () => void
}

export function startCapture (room: CaptureSource, path: string, opts: CaptureOptions, onClose: () => void): RoomCapture {
  const epochMs = opts.epochMs ?? (room.clock.kind === 'real' ? Date.now() - room.clock.now() : undefined)
  const writer = new PcapWriter(path, epochMs === undefined ? {} : { epochMs })
  let open = true
  const untap = room.tap(rec => {
    const us = opts.perspective ?? room.defaultPerspective
    writer.write({ timestampMs: rec.end, direction: rec.sender === us ? 'out' : 'in', frame: rec.frame })
  })
  return {
    path,
    get frames () { return writer.count },
    close () {
      if (!open) return
      open = false
      untap()
      writer.close()
      onClose()
    },
  }
}
