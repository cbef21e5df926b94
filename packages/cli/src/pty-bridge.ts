/*!
 * A local pseudo-terminal for `irda comm --pty`. Node has no openpty, so socat provides it
 * (`apt-get install -y socat`): `socat PTY,link=<path>,raw,echo=0 STDIO` creates the pty with a
 * stable symlink and carries its bytes on socat's stdin/stdout. The pty outlives the programs
 * that open and close it, and the IrCOMM connections behind it (it is the bridge's, not theirs).
 *
 * Line settings: a Linux pty master cannot see its slave's termios change, so the bridge reads
 * them with `stty -F <pty> -a` every {@link TERMIOS_POLL_MS} and sends changes as IrCOMM
 * parameters (speed, data format, CRTSCTS), as Linux's ircomm_tty_ioctl.c does. Modem lines:
 * Linux ptys have none (TIOCMGET/TIOCMSET fail on them), so DTR/RTS set by a program are not
 * seen and the peer's DCD/DSR/CTS/RI cannot be shown; what is seen is B0 (hang up), which drops
 * DTR and RTS, and leaving B0, which raises them, as on Linux's own /dev/ircomm.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, lstatSync, unlinkSync } from 'node:fs'
import { EventEmitter } from 'node:events'
import { encodeDataFormat, FLOW, type DataFormat, type DteLines, type IrcommPort, type LineSettings } from '@irdakit/ircomm'
import { UserError } from './output.js'

export const SOCAT_HINT = 'socat not found: install it with `apt-get install -y socat` (it provides the pseudo-terminal)'
export const TERMIOS_POLL_MS = 250

export interface PtyEvents {
  /** Bytes a program wrote to the pty. */
  data: [chunk: Buffer]
  /** socat ended (killed, or failed). */
  exit: [code: number | null]
}

/** The termios the bridge maps: what `stty -a` says of speed, size, parity, stop bits, CRTSCTS. */
export interface PtyTermios { speed: number, format: DataFormat, crtscts: boolean }

/** One end of the serial line the bridge serves: the pty, or stdin/stdout. */
export interface LineEnd extends EventEmitter<PtyEvents> {
  write: (data: Uint8Array) => void
  termios: () => PtyTermios | undefined
}

/** stdin and stdout as the line (`irda comm` without --pty): no termios to follow. */
export class StdioLine extends EventEmitter<PtyEvents> implements LineEnd {
  ended = false
  constructor () {
    super()
    process.stdin.on('data', (c: Buffer) => this.emit('data', c))
    process.stdin.on('end', () => { this.ended = true; this.emit('exit', 0) })
  }

  write (data: Uint8Array): void { process.stdout.write(data) }
  termios (): undefined { return undefined }
}

export class SocatPty extends EventEmitter<PtyEvents> implements LineEnd {
  private constructor (readonly link: string, readonly device: string, private readonly proc: ChildProcess) {
    super()
    proc.stdout?.on('data', (c: Buffer) => this.emit('data', c))
    proc.on('exit', code => this.emit('exit', code))
  }

  /** Starts socat and waits (at most `timeoutMs`) for the symlink. A stale symlink is replaced; any other file is refused. */
  static async open (link: string, timeoutMs = 5000): Promise<SocatPty> {
    if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).error !== undefined) throw new UserError(SOCAT_HINT)
    if (existsSync(link) || isSymlink(link)) {
      if (!isSymlink(link)) throw new UserError(`--pty ${link} exists and is not a symlink: choose another path`)
      unlinkSync(link)
    }
    const proc = spawn('socat', [`PTY,link=${link},raw,echo=0`, 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    proc.stderr?.on('data', (c: Buffer) => { stderr += c.toString() })
    const deadline = Date.now() + timeoutMs
    while (!existsSync(link)) {
      if (proc.exitCode !== null || Date.now() > deadline) {
        proc.kill('SIGKILL')
        throw new UserError(`socat could not create the pty ${link}: ${stderr.trim().split('\n').pop() ?? 'no message'}`)
      }
      await new Promise(resolve => setTimeout(resolve, 20))
    }
    const device = spawnSync('readlink', ['-f', link], { encoding: 'utf8' }).stdout.trim()
    return new SocatPty(link, device, proc)
  }

  /** Bytes for the program that has the pty open. */
  write (data: Uint8Array): void { this.proc.stdin?.write(data) }

  /** The slave's termios now, or undefined when stty cannot read it. */
  termios (): PtyTermios | undefined {
    const r = spawnSync('stty', ['-F', this.link, '-a'], { encoding: 'utf8', timeout: 2000 })
    if (r.status !== 0) return undefined
    return parseStty(r.stdout)
  }

  close (): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM')
    if (isSymlink(this.link)) { try { unlinkSync(this.link) } catch { /* socat removed it */ } }
  }
}

function isSymlink (p: string): boolean {
  try { return lstatSync(p).isSymbolicLink() } catch { return false }
}

/** Reads speed, character size, parity, stop bits and CRTSCTS from `stty -a` output. */
export function parseStty (text: string): PtyTermios | undefined {
  const speed = /speed (\d+) baud/.exec(text)
  if (speed === null) return undefined
  const flags = new Set(text.split(/[\s;]+/))
  const size = [5, 6, 7, 8].find(n => flags.has(`cs${n}`)) ?? 8
  const parity = !flags.has('parenb') ? 'none' : flags.has('cmspar') ? (flags.has('parodd') ? 'mark' : 'space') : flags.has('parodd') ? 'odd' : 'even'
  return { speed: Number(speed[1]), format: { wordLength: size as DataFormat['wordLength'], stopBits: flags.has('cstopb') ? 2 : 1, parity }, crtscts: flags.has('crtscts') }
}

/** The IrCOMM line settings a termios stands for (B0 keeps the last rate: Linux sends 9600 for it). */
export function settingsOf (t: PtyTermios, last: LineSettings): Partial<LineSettings> {
  return {
    dataRate: t.speed === 0 ? last.dataRate : t.speed,
    dataFormat: encodeDataFormat(t.format),
    // Linux: CRTSCTS sets RTS/CTS on input only (ircomm_tty_ioctl.c).
    flowControl: (last.flowControl & ~(FLOW.RTS_CTS_IN)) | (t.crtscts ? FLOW.RTS_CTS_IN : 0),
  }
}

/**
 * What a termios change on the pty asks of the connection: the settings to send, and DTR/RTS
 * when the speed enters B0 (hang up: both down) or leaves it (both up), as ircomm_tty_ioctl.c
 * does. Undefined when nothing IrCOMM carries changed.
 */
export function termiosChange (last: PtyTermios, now: PtyTermios, current: LineSettings): { settings: Partial<LineSettings>, dte?: DteLines } | undefined {
  if (now.speed === last.speed && JSON.stringify(now.format) === JSON.stringify(last.format) && now.crtscts === last.crtscts) return undefined
  const settings = settingsOf(now, current)
  if (now.speed === 0 && last.speed !== 0) return { settings, dte: { dtr: false, rts: false } }
  if (now.speed !== 0 && last.speed === 0) return { settings, dte: { dtr: true, rts: true } }
  return { settings }
}

/**
 * Joins a pty and an IrCOMM connection until the connection ends: bytes both ways, and termios
 * changes as control parameters. Resolves with the reason the connection ended.
 */
export async function bridge (pty: LineEnd, port: IrcommPort, opts: { pollMs?: number, onSettings?: (s: Partial<LineSettings>) => void } = {}): Promise<string> {
  const toPort = (c: Buffer): void => { if (!port.destroyed && !port.writableEnded) port.write(c) }
  const toPty = (c: Buffer): void => { pty.write(c) }
  pty.on('data', toPort)
  port.on('data', toPty)
  let last = pty.termios()
  if (last !== undefined) { const s = settingsOf(last, port.settings); port.setSettings(s); opts.onSettings?.(s) }
  const timer = setInterval(() => {
    const now = pty.termios()
    if (now === undefined || last === undefined) { last = now; return }
    const change = termiosChange(last, now, port.settings)
    if (change !== undefined) {
      port.setSettings(change.settings)
      if (change.dte !== undefined) port.setDte(change.dte)
      opts.onSettings?.(change.settings)
    }
    last = now
  }, opts.pollMs ?? TERMIOS_POLL_MS)
  try {
    return await new Promise<string>(resolve => {
      port.once('error', e => resolve(e.message))
      port.once('close', () => resolve('the device hung up'))
      pty.once('exit', () => resolve(pty instanceof SocatPty ? 'the pty went away (socat ended)' : 'input ended'))
    })
  } finally {
    clearInterval(timer)
    pty.off('data', toPort)
    port.off('data', toPty)
  }
}
