/*!
 * How the `irda` command talks to people and programs: one-line errors, colour only on a TTY
 * without NO_COLOR, machine-readable JSON with `--json`, and a progress bar on a TTY only.
 */
import { roundFloats } from './json.js'

/** A mistake of the user (bad argument, missing file or device): reported in one line, no stack trace. */
export class UserError extends Error {
  constructor (message: string, readonly exitCode = 2) {
    super(message)
    this.name = 'UserError'
  }
}

export interface OutputOptions {
  json: boolean
  stdout?: NodeJS.WriteStream
  stderr?: NodeJS.WriteStream
  env?: NodeJS.ProcessEnv
}

type Style = 'dim' | 'bold' | 'red' | 'green' | 'yellow' | 'cyan' | 'magenta'
const CODES: Record<Style, [number, number]> = {
  dim: [2, 22], bold: [1, 22], red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], magenta: [35, 39],
}

/** Whether colour may be used on `stream`: a TTY, NO_COLOR unset (any value disables, per no-color.org), TERM not dumb. */
export function colorAllowed (stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true
  if (env.TERM === 'dumb') return false
  return stream.isTTY === true
}

export class Output {
  readonly json: boolean
  readonly color: boolean
  /** True when a progress bar may be drawn (stderr is a TTY and output is for people). */
  readonly interactive: boolean
  private readonly out: NodeJS.WriteStream
  private readonly err: NodeJS.WriteStream
  private progressShown = false

  constructor (opts: OutputOptions) {
    this.json = opts.json
    this.out = opts.stdout ?? process.stdout
    this.err = opts.stderr ?? process.stderr
    const env = opts.env ?? process.env
    this.color = !opts.json && colorAllowed(this.out, env)
    this.interactive = !opts.json && this.err.isTTY === true && env.TERM !== 'dumb'
  }

  style (s: Style, text: string): string {
    if (!this.color) return text
    const [on, off] = CODES[s]
    return `\u001b[${on}m${text}\u001b[${off}m`
  }

  /** One line of human output on stdout (suppressed in JSON mode). */
  line (text = ''): void {
    if (this.json) return
    this.clearProgress()
    this.out.write(text + '\n')
  }

  /**
   * Text as it is on stdout (for {@link LineBatch} and streamed JSON), the progress line cleared
   * first. False when stdout is holding text its reader has not taken yet: wait for {@link drain}.
   */
  raw (text: string | Uint8Array): boolean {
    this.clearProgress()
    return this.out.write(text)
  }

  /**
   * Undefined when stdout holds nothing unwritten, else a promise that resolves once it has
   * written it all. A pipe whose reader is slower than us (`irda dump big.pcap | less`) fills,
   * and Node then keeps what we write in memory: a producer waits here instead.
   */
  drain (): Promise<void> | undefined {
    if (this.out.writableNeedDrain !== true) return undefined
    return new Promise(resolve => this.out.once('drain', () => resolve()))
  }

  /** The one JSON document of a `--json` run. */
  emitJson (value: unknown): void {
    this.out.write(JSON.stringify(value, roundFloats, 2) + '\n')
  }

  /** A warning or note on stderr (one line). */
  note (text: string): void {
    this.clearProgress()
    this.err.write(text + '\n')
  }

  /** Draws a progress bar on stderr, on a TTY only. */
  progress (label: string, done: number, total: number): void {
    if (!this.interactive) return
    const width = 30
    const frac = total <= 0 ? 1 : Math.min(1, done / total)
    const full = Math.round(frac * width)
    const bar = '#'.repeat(full) + '-'.repeat(width - full)
    this.err.write(`\r${label} [${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total}`)
    this.progressShown = true
  }

  clearProgress (): void {
    if (!this.progressShown) return
    this.err.write('\r\u001b[2K')
    this.progressShown = false
  }
}

/**
 * Lines for stdout gathered into large writes: for a capture of a million frames, a write per
 * line costs more than decoding the frames. Stdout to a file is written synchronously; to a pipe
 * only while the pipe has room, so a long producer also waits for {@link Output.drain}.
 */
export class LineBatch {
  private buf: Buffer
  private used = 0

  constructor (private readonly write: (bytes: Uint8Array) => void, private readonly limit = 1 << 16) {
    this.buf = Buffer.allocUnsafe(limit)
  }

  add (line: string): void {
    // Lines go straight into bytes: strings held until a slow pipe takes them cost the GC more
    // than the decoding. UTF-8 needs at most three bytes per UTF-16 unit.
    const most = line.length * 3 + 1
    if (this.used + most > this.limit) {
      this.flush()
      if (most > this.limit) { this.write(Buffer.from(line + '\n')); return }
    }
    this.used += this.buf.write(line, this.used)
    this.buf[this.used++] = 0x0A
  }

  flush (): void {
    if (this.used === 0) return
    this.write(this.buf.subarray(0, this.used))
    this.buf = Buffer.allocUnsafe(this.limit) // the stream may still hold the last one
    this.used = 0
  }
}

/** The first line of an error's message, for one-line reports. */
export function oneLine (e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e)
  return msg.split('\n')[0]?.trim() ?? ''
}

export const hex32 = (n: number): string => '0x' + (n >>> 0).toString(16).padStart(8, '0')
