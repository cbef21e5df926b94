/*!
 * Two stations on an ideal half-duplex line (for unit tests; excluded from the build): airtime
 * at each sender's speed, the receiver's minimum turnaround before it answers, speed mismatch
 * turns a frame into an error, and a hook to drop or corrupt chosen frames.
 */
import { airtimeMs } from '@irdakit/phy'
import type { IrlapStation } from './station.js'
import type { LapEvent } from './primitives.js'

export type Fate = 'ok' | 'drop' | 'corrupt'
export interface LineFrame { from: 'a' | 'b', bytes: Uint8Array, start: number, end: number, bps: number }

interface Side { st: IrlapStation, bps: number, mtt: number, freeAt: number, lastRxAt: number, txDoneAt?: number, events: Array<{ at: number, ev: LapEvent }> }
interface Arrival { at: number, to: 'a' | 'b', bytes?: Uint8Array }

export class StationPair {
  now = 0
  readonly log: LineFrame[] = []
  fate: (f: LineFrame, index: number) => Fate = () => 'ok'
  private readonly sides: Record<'a' | 'b', Side>
  private arrivals: Arrival[] = []

  constructor (a: IrlapStation, b: IrlapStation) {
    const side = (st: IrlapStation): Side => ({ st, bps: 9600, mtt: 10, freeAt: 0, lastRxAt: -Infinity, events: [] })
    this.sides = { a: side(a), b: side(b) }
    this.flush()
  }

  get a (): IrlapStation { return this.sides.a.st }
  get b (): IrlapStation { return this.sides.b.st }
  events (who: 'a' | 'b'): Array<{ at: number, ev: LapEvent }> { return this.sides[who].events }

  /** Calls into a station at the current time and collects its outputs. */
  do (fn: (now: number) => void): void { fn(this.now); this.flush() }

  /** Runs until `done()` is true (checked after every step) or `limitMs` of virtual time passes. Returns whether done. */
  runUntil (done: () => boolean, limitMs = 60_000): boolean {
    const end = this.now + limitMs
    for (let guard = 0; guard < 5_000_000; guard++) {
      if (done()) return true
      const next = this.nextTime()
      if (next === undefined || next > end) { this.now = end; return done() }
      this.step(next)
    }
    return done()
  }

  run (ms: number): void { this.runUntil(() => false, ms) }

  private nextTime (): number | undefined {
    const ts: number[] = []
    for (const s of Object.values(this.sides)) {
      const d = s.st.nextDeadline(); if (d !== undefined) ts.push(d)
      if (s.txDoneAt !== undefined) ts.push(s.txDoneAt)
    }
    for (const a of this.arrivals) ts.push(a.at)
    return ts.length === 0 ? undefined : Math.min(...ts)
  }

  private step (t: number): void {
    this.now = Math.max(this.now, t)
    const due = this.arrivals.filter(a => a.at <= this.now)
    this.arrivals = this.arrivals.filter(a => a.at > this.now)
    for (const a of due) {
      const s = this.sides[a.to]
      s.lastRxAt = this.now
      if (a.bytes === undefined) s.st.handleRxError(this.now, 'fcs')
      else s.st.handleFrame(this.now, a.bytes)
    }
    for (const s of Object.values(this.sides)) {
      if (s.txDoneAt !== undefined && s.txDoneAt <= this.now) { s.txDoneAt = undefined; s.st.handleTxDone(this.now) }
      s.st.poll(this.now)
    }
    this.flush()
  }

  private flush (): void {
    for (const [name, s] of Object.entries(this.sides) as Array<['a' | 'b', Side]>) {
      const other = this.sides[name === 'a' ? 'b' : 'a']
      for (let act = s.st.pollTransmit(); act !== undefined; act = s.st.pollTransmit()) {
        if (act.type === 'speed') { s.bps = act.bps; continue }
        if (act.type === 'min-turnaround') { s.mtt = act.ms; continue }
        const start = Math.max(this.now, s.freeAt, s.lastRxAt + s.mtt)
        const end = start + airtimeMs(act.frame.length + 4 + act.xbofs, s.bps)
        s.freeAt = end
        s.txDoneAt = end
        const f: LineFrame = { from: name, bytes: act.frame, start, end, bps: s.bps }
        const fate = this.fate(f, this.log.length)
        this.log.push(f)
        if (fate === 'drop') continue
        const readable = fate === 'ok' && other.bps === f.bps
        this.arrivals.push({ at: end, to: name === 'a' ? 'b' : 'a', bytes: readable ? act.frame : undefined })
      }
      for (let ev = s.st.pollEvent(); ev !== undefined; ev = s.st.pollEvent()) s.events.push({ at: this.now, ev })
    }
  }
}
