/*!
 * The tester station: the conformance suite's own IrDA station on the target's medium. It sends
 * exact frames at exact times and checks what comes back, through any Port (an emulated room in
 * virtual time, a pty, a dongle, a served room). It keeps no protocol state of its own: cases
 * script every frame; `link.ts` adds the bookkeeping of a scripted primary.
 *
 * Every frame either way, and every note a case makes, goes to the trace that decides the
 * verdict, decoded through all layers by `@irdakit/capture`.
 */
import type { Port, PortEvent, TimerHandle } from '@irdakit/core'
import { decodeFrame, DecodeSession } from '@irdakit/capture'
import { emitFrame, matchFrame, parseFrame, toHex, type FramePattern, type LapFrame } from '@irdakit/lap'
import { NoResponse, CaseVerdict, type TraceLine } from './verdict.js'

/** A frame the target sent, stamped with the port clock at its end. */
export interface Received {
  at: number
  bytes: Uint8Array
  frame?: LapFrame
}

export interface StationOptions {
  /** XBOFs before each frame we send. Default 10 (the contention value at 9600 b/s). */
  xbofs?: number
}

/** Frames the target sends on its own in NDM (its discovery) are not answers to our frames. */
const isOwnDiscovery = (r: Received): boolean => r.frame?.kind === 'XID' && r.frame.command

export class TesterStation {
  readonly trace: TraceLine[] = []
  private readonly inbox: Received[] = []
  private wake: (() => void) | undefined
  private readonly unlisten: () => void
  private t0: number
  private session = new DecodeSession()
  xbofs: number
  /** Frames received with a bad FCS (or other damage) since the station started. */
  rxErrors = 0
  /** Frames the target sent in the current case, ignored or not. */
  heard = 0
  /** XID commands the device sent on its own (its discovery) in the current case: it was busy with the medium. */
  ownDiscovery = 0
  /** When our last frame finished leaving (port clock). */
  lastTxEnd = -Infinity
  /** When the frames we queued will have left, by our estimate (answers are timed from then). */
  private sendingUntil = -Infinity

  constructor (readonly port: Port, opts: StationOptions = {}) {
    this.xbofs = opts.xbofs ?? 10
    this.t0 = port.clock.now()
    this.unlisten = port.listen(ev => { this.onPort(ev) })
  }

  now (): number { return this.port.clock.now() }

  /** Starts a new trace (a new case): times count from here, the inbox is emptied. */
  reset (): void {
    this.trace.length = 0
    this.inbox.length = 0
    this.t0 = this.now()
    this.heard = 0
    this.ownDiscovery = 0
    this.session = new DecodeSession()
  }

  close (): void { this.unlisten() }

  note (text: string): void { this.log('--', text) }

  /** Records a check that did not hold (the case decides the verdict). */
  flag (text: string): void { this.log('!!', text) }

  /** Sends a frame (a Repr or raw bytes) now. */
  send (frame: LapFrame | Uint8Array, note?: string): void {
    const bytes = frame instanceof Uint8Array ? frame : emitFrame(frame)
    this.log('T->D', describe(bytes, this.session) + (note !== undefined ? `  (${note})` : ''), bytes)
    this.port.send(bytes, { xbofs: this.xbofs })
    this.sendingUntil = Math.max(this.now(), this.sendingUntil) + (bytes.length + 4 + this.xbofs) * 10000 / this.port.speed
  }

  /** Lets `ms` of medium time pass (frames that arrive meanwhile wait in the inbox). */
  async wait (ms: number): Promise<void> {
    await new Promise<void>(resolve => { this.port.clock.setTimer(this.now() + ms, resolve) })
  }

  /**
   * The next frame from the target within `ms`, or undefined. Frames for which `ignore` says true
   * (default: the target's own discovery XID commands) are passed over.
   */
  async next (ms: number, ignore: (r: Received) => boolean = isOwnDiscovery): Promise<Received | undefined> {
    const deadline = Math.max(this.now(), this.sendingUntil) + ms
    for (;;) {
      while (this.inbox.length > 0) {
        const r = this.inbox.shift() as Received
        if (!ignore(r)) return r
      }
      if (this.now() >= deadline) return undefined
      let timer: TimerHandle | undefined
      await new Promise<void>(resolve => {
        this.wake = resolve
        timer = this.port.clock.setTimer(deadline, resolve)
      })
      timer?.cancel()
      this.wake = undefined
    }
  }

  /**
   * The next frame must match `pattern` and come within `ms`. A different frame is a FAIL
   * (`why` names the rule); no frame at all is a {@link NoResponse}.
   */
  async expect (pattern: FramePattern, ms: number, why: string, ignore?: (r: Received) => boolean): Promise<Received & { frame: LapFrame }> {
    const r = await this.next(ms, ignore)
    if (r === undefined) {
      this.flag(`no frame within ${ms} ms; wanted ${show(pattern)}: ${why}`)
      throw new NoResponse(`no answer within ${ms} ms (wanted ${show(pattern)}): ${why}`)
    }
    const mismatch = matchFrame(r, pattern)
    if (mismatch !== undefined || r.frame === undefined) {
      this.flag(`${mismatch ?? 'the frame does not decode'}: ${why}`)
      throw new CaseVerdict('FAIL', `${why}: got ${describe(r.bytes)}, ${mismatch ?? 'which does not decode'}`)
    }
    return r as Received & { frame: LapFrame }
  }

  /** The target must send nothing (besides what `ignore` passes over) for `ms`. */
  async expectSilence (ms: number, why: string, ignore?: (r: Received) => boolean): Promise<void> {
    const r = await this.quiet(ms, ignore)
    if (r !== undefined) {
      this.flag(`expected silence: ${why}`)
      throw new CaseVerdict('FAIL', `${why}: got ${describe(r.bytes)}`)
    }
  }

  /**
   * Waits `ms` for a frame; undefined when none came. Silence proves nothing while the device
   * was busy with its own discovery: that ends the case INCONC (retried).
   */
  async quiet (ms: number, ignore?: (r: Received) => boolean): Promise<Received | undefined> {
    const before = this.ownDiscovery
    const r = await this.next(ms, ignore)
    if (r === undefined && this.ownDiscovery > before) {
      this.note('the device ran its own discovery meanwhile: its silence proves nothing')
      throw new CaseVerdict('INCONC', 'the device was busy with its own discovery while it had to stay silent (contention, not a finding)')
    }
    return r
  }

  /** Collects every frame (not ignored) that arrives within `ms`. */
  async collect (ms: number, ignore?: (r: Received) => boolean): Promise<Received[]> {
    const deadline = this.now() + ms
    const out: Received[] = []
    for (;;) {
      const left = deadline - this.now()
      if (left <= 0) return out
      const r = await this.next(left, ignore)
      if (r === undefined) return out
      out.push(r)
    }
  }

  private onPort (ev: PortEvent): void {
    if (ev.type === 'frame') {
      const d = parseFrame(ev.frame)
      const r: Received = { at: ev.at, bytes: ev.frame, ...(d.ok ? { frame: d.value } : {}) }
      this.heard++
      if (isOwnDiscovery(r)) this.ownDiscovery++
      this.log('D->T', describe(ev.frame, this.session), ev.frame, ev.at)
      this.inbox.push(r)
      this.wake?.()
    } else if (ev.type === 'tx-done') {
      this.lastTxEnd = ev.at
    } else if (ev.type === 'rx-error') {
      this.rxErrors++
      this.log('D->T', `(damaged frame: ${ev.reason})`, undefined, ev.at)
    }
  }

  private log (dir: TraceLine['dir'], text: string, bytes?: Uint8Array, at = this.now()): void {
    if (this.trace.length >= 2000) return // a chatty target must not grow memory without bound
    this.trace.push({ t: at - this.t0, dir, text, ...(bytes !== undefined ? { hex: toHex(bytes) } : {}) })
  }
}

/** When a received frame started on the line: its end minus its SIR airtime (10 bits a byte, BOF/EOF/FCS, no XBOFs counted). */
export function startOf (r: Received, bps: number): number {
  return r.at - (r.bytes.length + 4) * 10000 / bps
}

export function describe (bytes: Uint8Array, session?: DecodeSession): string {
  return decodeFrame(bytes, session).summary
}

function show (p: FramePattern): string {
  return JSON.stringify(p, (_k, v: unknown) => v instanceof Uint8Array ? toHex(v) : typeof v === 'function' ? '(predicate)' : v)
}
