/*!
 * What the long-running commands (`irda attach`, live `irda dump`) share: opening a dongle with
 * one-line errors, running until SIGINT/SIGTERM, and printing frames as they pass, one line each
 * (the irdadump-style summary of `@irdakit/capture`, as `irda demo` and `irda dump <pcap>` print
 * it), or with `--json` one JSON object per line, so a reader can act on each as it comes.
 */
import { DecodeSession, decodeFrame, PcapWriter } from '@irdakit/capture'
import { openSerialPort, type SerialIrdaPort } from '@irdakit/serial'
import { Output, UserError, oneLine } from './output.js'
import { roundFloats, toJsonValue } from './json.js'

/** Opens `path` with dongle profile `dongle`; any failure is the user's (exit 2), in one line. */
export async function openDongle (path: string, dongle: string, baudRate?: number): Promise<SerialIrdaPort> {
  try {
    return await openSerialPort({ path, dongle, ...(baudRate !== undefined ? { baudRate } : {}) })
  } catch (e) {
    throw new UserError(`cannot open ${path} with dongle ${dongle}: ${oneLine(e)}`)
  }
}

/** Why a live command stopped. */
export type StopReason = 'SIGINT' | 'SIGTERM' | { error: string }

/**
 * Resolves on the first SIGINT or SIGTERM, or when `stop` is called. A second signal while the
 * command is still shutting down ends the process at once (exit 130), as a user pressing ^C
 * twice expects.
 */
export function untilStopped (): { stopped: Promise<StopReason>, stop: (reason: StopReason) => void, dispose: () => void } {
  let settle!: (r: StopReason) => void
  const stopped = new Promise<StopReason>(resolve => { settle = resolve })
  let done = false
  const stop = (reason: StopReason): void => {
    if (done) return
    done = true
    settle(reason)
  }
  const onSignal = (sig: NodeJS.Signals): void => {
    if (done) process.exit(130)
    stop(sig === 'SIGTERM' ? 'SIGTERM' : 'SIGINT')
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  return { stopped, stop, dispose: () => { process.off('SIGINT', onSignal); process.off('SIGTERM', onSignal) } }
}

/** Writes one JSON object as one line (the event stream of `--json` in live commands). */
export function jsonLine (value: unknown, to: NodeJS.WritableStream = process.stdout): void {
  to.write(JSON.stringify(value, roundFloats) + '\n')
}

export interface LiveFrame {
  /** ms since the command started. */
  timeMs: number
  direction: 'in' | 'out'
  frame: Uint8Array
  /** Line speed the frame travelled at, when known. */
  speed?: number
  /** Who sent it, when known (emulated rooms). */
  sender?: string
  /** Some station in range did not receive it intact (emulated rooms). */
  lost?: boolean
}

/** Prints frames as they pass and, if asked, saves them to a pcap. */
export class LiveTrace {
  frames = 0
  malformed = 0
  private readonly session = new DecodeSession()
  private readonly writer: PcapWriter | undefined

  constructor (private readonly out: Output, private readonly opts: { quiet?: boolean, hex?: boolean, pcap?: string, epochMs?: number }) {
    if (opts.pcap === undefined) return
    try {
      this.writer = new PcapWriter(opts.pcap, opts.epochMs !== undefined ? { epochMs: opts.epochMs } : {})
    } catch (e) {
      throw new UserError(`cannot write --pcap ${opts.pcap}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
    }
  }

  get pcapFrames (): number { return this.writer?.count ?? 0 }

  frame (f: LiveFrame): void {
    this.frames++
    this.writer?.write({ timestampMs: f.timeMs, direction: f.direction, frame: f.frame })
    const d = decodeFrame(f.frame, this.session)
    if (d.error !== undefined) this.malformed++
    if (this.opts.quiet === true) return
    const out = this.out
    const time = Number((f.timeMs / 1000).toFixed(6))
    if (out.json) {
      jsonLine({
        event: 'frame',
        time,
        direction: f.direction,
        ...(f.sender !== undefined ? { sender: f.sender } : {}),
        ...(f.speed !== undefined ? { speed: f.speed } : {}),
        ...(f.lost === true ? { lost: true } : {}),
        length: f.frame.length,
        summary: d.summary,
        layers: toJsonValue(d.layers),
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(this.opts.hex === true ? { hex: toJsonValue(f.frame) } : {}),
      })
      return
    }
    const dir = f.direction === 'out' ? out.style('cyan', '>') : out.style('magenta', '<')
    const summary = d.error !== undefined ? out.style('red', d.summary) : d.summary
    const sender = f.sender !== undefined ? `${f.sender.padEnd(12)} ` : ''
    const lost = f.lost === true ? out.style('red', '  [lost]') : ''
    out.line(`${out.style('dim', time.toFixed(6).padStart(12))} ${dir} ${sender}${summary}${lost}`)
    if (this.opts.hex === true) out.line(out.style('dim', '    ' + [...f.frame].map(b => b.toString(16).padStart(2, '0')).join(' ')))
  }

  /** Something other than a frame: an event object in JSON, a marked line for people. */
  event (timeMs: number, event: Record<string, unknown> & { event: string }, text: string, style: 'yellow' | 'red' | 'green' = 'yellow'): void {
    const time = Number((timeMs / 1000).toFixed(6))
    if (this.out.json) { jsonLine({ ...event, time }); return }
    this.out.line(`${this.out.style('dim', time.toFixed(6).padStart(12))} ${this.out.style(style, `* ${text}`)}`)
  }

  close (): void { this.writer?.close() }
}
