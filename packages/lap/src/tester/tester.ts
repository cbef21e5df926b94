/*!
 * The frame-level tester: it plays the peer station from a script of exact frames at exact
 * virtual times, and checks what the device under test (a {@link LapTarget}) sends back and
 * when. No medium, no emulator: the tester owns time, delivers frames, runs the target's timers
 * in order, and models the target's transmitter (airtime at the current speed, the minimum
 * turnaround after our last frame, back-to-back frames), so timing assertions mean something.
 *
 * A frame the target sends is "seen" when its last byte has left (as a receiver sees it); the
 * target is told `txDone` at that moment. Failures throw {@link TesterError} with the trace of
 * the exchange so far. The tester has no test-framework dependency; the conformance suite and
 * any mocha/vitest test can use it.
 */
import { airtimeMs } from '@irdakit/phy'
import type { LapFrame } from '../frame.js'
import { emitFrame, fromHex, parseFrame, toHex } from '../wire/index.js'
import { describeBytes } from './describe.js'
import type { LapTarget } from './target.js'

/** A frame the target sent, with when it started and ended on the line. */
export interface SeenFrame {
  start: number
  end: number
  bytes: Uint8Array
  /** The decoded frame (undefined if it does not decode: a failure of the target). */
  frame?: LapFrame
  xbofs: number
  bps: number
}

export interface SeenEvent { at: number, event: unknown }

/** A pattern for a frame: every key given must match (deeply; Uint8Array by content; `bytes` matches the raw frame). */
export type FramePattern = Partial<Record<string, unknown>> & { kind?: LapFrame['kind'], bytes?: Uint8Array | string }

export interface TesterOptions {
  /** Virtual time to start at (ms). Default 0. */
  start?: number
  /** Line speed at the start. Default 9600. */
  bps?: number
  /** Minimum turnaround the target honours before answering us, until it says otherwise. Default 10 ms. */
  minTurnaroundMs?: number
  /** Default time limit for expectations (ms). Default 5000. */
  withinMs?: number
}

export class TesterError extends Error {
  static override name = 'TesterError'
  constructor (message: string, readonly trace: string[]) {
    super(`${message}\n--- trace ---\n${trace.slice(-40).join('\n')}`)
    this.name = 'TesterError'
  }
}

export class FrameTester {
  now: number
  bps: number
  readonly frames: SeenFrame[] = []
  readonly events: SeenEvent[] = []
  readonly trace: string[] = []
  private frameCursor = 0
  private eventCursor = 0
  private minTurn: number
  private lineFreeAt = -Infinity
  private lastPeerFrameAt = -Infinity
  private txDoneAt: number | undefined
  private readonly withinMs: number

  constructor (readonly target: LapTarget, opts: TesterOptions = {}) {
    this.now = opts.start ?? 0
    this.bps = opts.bps ?? 9600
    this.minTurn = opts.minTurnaroundMs ?? 10
    this.withinMs = opts.withinMs ?? 5000
    this.collect()
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Runs the target's timers and transmit completions, in time order, up to `t`. */
  advanceTo (t: number): this {
    if (t < this.now) this.fail(`cannot go back in time to ${t}`)
    for (let guard = 0; guard < 1_000_000; guard++) {
      const next = this.nextStep()
      if (next === undefined || next > t) break
      this.now = Math.max(this.now, next)
      if (this.txDoneAt !== undefined && this.txDoneAt <= this.now) {
        this.txDoneAt = undefined
        this.target.txDone?.(this.now)
      } else {
        this.target.poll(this.now)
      }
      this.collect()
    }
    this.now = t
    return this
  }

  wait (ms: number): this { return this.advanceTo(this.now + ms) }

  // ---- stimuli ------------------------------------------------------------------------------

  /** Delivers a frame from the tester (a Repr, raw bytes, or hex) at the current time, or at `at`. */
  send (frame: LapFrame | Uint8Array | string, opts: { at?: number } = {}): this {
    if (opts.at !== undefined) this.advanceTo(opts.at)
    const bytes = typeof frame === 'string' ? fromHex(frame) : frame instanceof Uint8Array ? frame : emitFrame(frame)
    this.log('T->D', describeBytes(bytes))
    this.lastPeerFrameAt = this.now
    this.target.deliver(this.now, bytes)
    this.collect()
    return this
  }

  /** Delivers a damaged frame (bad FCS). */
  sendError (): this {
    this.log('T->D', '(frame with bad FCS)')
    this.target.deliverError?.(this.now)
    this.collect()
    return this
  }

  mediaBusy (busy: boolean): this {
    this.log('T->D', busy ? '(medium busy)' : '(medium idle)')
    this.target.mediaBusy?.(this.now, busy)
    this.collect()
    return this
  }

  /** Calls the target's API (a request from its upper layer) at the current time. */
  do (fn: (now: number) => void): this {
    fn(this.now)
    this.collect()
    return this
  }

  // ---- expectations -------------------------------------------------------------------------

  /**
   * The next frame the target sends must match `pattern`, be seen within `within` ms from now
   * and not before `notBefore` ms. Returns it.
   */
  expectFrame (pattern: FramePattern, opts: { within?: number, notBefore?: number } = {}): SeenFrame {
    const from = this.now
    const limit = from + (opts.within ?? this.withinMs)
    for (;;) {
      if (this.frameCursor < this.frames.length) {
        const f = this.frames[this.frameCursor]
        if (f.end > limit) this.fail(`expected ${describePattern(pattern)} within ${limit - from} ms, but the next frame (${describeBytes(f.bytes)}) ends at ${fmt(f.end)}`)
        this.advanceTo(Math.max(this.now, f.end))
        this.frameCursor++
        const why = matchFrame(f, pattern)
        if (why !== undefined) this.fail(`frame ${describeBytes(f.bytes)} does not match ${describePattern(pattern)}: ${why}`)
        if (opts.notBefore !== undefined && f.end < from + opts.notBefore) this.fail(`frame ${describeBytes(f.bytes)} came after ${fmt(f.end - from)} ms, expected not before ${opts.notBefore} ms`)
        return f
      }
      const next = this.nextStep()
      if (next === undefined || next > limit) this.fail(`expected ${describePattern(pattern)} within ${limit - from} ms, but the target sent nothing${next === undefined ? ' and has no timer running' : ''}`)
      this.advanceTo(next)
    }
  }

  /** The target sends nothing for `ms`. */
  expectSilence (ms: number): this {
    this.advanceTo(this.now + ms)
    const f = this.frames[this.frameCursor]
    if (f !== undefined && f.end <= this.now) this.fail(`expected silence for ${ms} ms, got ${describeBytes(f.bytes)} at ${fmt(f.end)}`)
    return this
  }

  /**
   * The next event the target reports must match `pattern` (deep partial), within `within` ms.
   * With `skip`, events that do not match are passed over.
   */
  expectEvent (pattern: Partial<Record<string, unknown>>, opts: { within?: number, skip?: boolean } = {}): SeenEvent {
    const limit = this.now + (opts.within ?? this.withinMs)
    for (;;) {
      while (this.eventCursor < this.events.length) {
        const e = this.events[this.eventCursor++]
        const why = matchValue(e.event, pattern, 'event')
        if (why === undefined) return e
        if (opts.skip !== true) this.fail(`event ${JSON.stringify(e.event, jsonBytes)} does not match ${JSON.stringify(pattern, jsonBytes)}: ${why}`)
      }
      const next = this.nextStep()
      if (next === undefined || next > limit) this.fail(`expected event ${JSON.stringify(pattern, jsonBytes)} within ${opts.within ?? this.withinMs} ms; none came`)
      this.advanceTo(next)
    }
  }

  /** Frames sent by the target and not yet consumed by an expectation (and already seen). */
  pendingFrames (): SeenFrame[] { return this.frames.slice(this.frameCursor).filter(f => f.end <= this.now) }

  /** Skips every frame seen so far. */
  drainFrames (): SeenFrame[] {
    const out = this.pendingFrames()
    this.frameCursor += out.length
    return out
  }

  /** Events not yet consumed. */
  pendingEvents (): SeenEvent[] { return this.events.slice(this.eventCursor) }

  drainEvents (): SeenEvent[] {
    const out = this.pendingEvents()
    this.eventCursor = this.events.length
    return out
  }

  fail (message: string): never { throw new TesterError(`at t=${fmt(this.now)} ms: ${message}`, this.trace) }

  // ---- internals ----------------------------------------------------------------------------

  private nextStep (): number | undefined {
    const d = this.target.nextDeadline()
    const t = this.txDoneAt
    if (d === undefined) return t
    if (t === undefined) return d
    return Math.min(d, t)
  }

  /** Takes the target's outputs: frames are scheduled on its (modelled) transmitter. */
  private collect (): void {
    for (const a of this.target.takeTransmit()) {
      if (a.type === 'speed') { this.bps = a.bps; this.log('D', `(speed ${a.bps})`); continue }
      if (a.type === 'min-turnaround') { this.minTurn = a.ms; continue }
      const start = Math.max(this.now, this.lineFreeAt, this.lastPeerFrameAt + this.minTurn)
      const wire = a.frame.length + 4 + a.xbofs
      let air: number
      try { air = airtimeMs(wire, this.bps) } catch { air = wire * 10000 / this.bps }
      const end = start + air
      const d = parseFrame(a.frame)
      this.frames.push({ start, end, bytes: a.frame, frame: d.ok ? d.value : undefined, xbofs: a.xbofs, bps: this.bps })
      this.lineFreeAt = end
      this.txDoneAt = end
      this.log('D->T', `${describeBytes(a.frame)} (${fmt(start)}..${fmt(end)})`)
    }
    for (const e of this.target.takeEvents()) {
      this.events.push({ at: this.now, event: e })
      this.log('D', `event ${JSON.stringify(e, jsonBytes)}`)
    }
  }

  private log (dir: string, text: string): void {
    this.trace.push(`${fmt(this.now).padStart(10)} ${dir.padEnd(4)} ${text}`)
  }
}

// ---- matching ---------------------------------------------------------------------------------

/** Why a seen frame does not match a pattern (undefined when it does); shared with the conformance suite's station. */
export function matchFrame (f: Pick<SeenFrame, 'bytes' | 'frame'>, p: FramePattern): string | undefined {
  if (p.bytes !== undefined) {
    const want = typeof p.bytes === 'string' ? fromHex(p.bytes) : p.bytes
    if (toHex(want) !== toHex(f.bytes)) return `bytes ${toHex(f.bytes)} != ${toHex(want)}`
  }
  const { bytes: _bytes, ...rest } = p
  if (Object.keys(rest).length === 0) return undefined
  if (f.frame === undefined) return 'the frame does not decode'
  return matchValue(f.frame, rest, 'frame')
}

/** Deep partial match: undefined when `actual` has every key of `pattern` with a matching value. */
export function matchValue (actual: unknown, pattern: unknown, path: string): string | undefined {
  if (typeof pattern === 'function') return (pattern as (v: unknown) => boolean)(actual) ? undefined : `${path} fails its predicate`
  if (pattern instanceof Uint8Array) {
    if (!(actual instanceof Uint8Array)) return `${path} is not bytes`
    return toHex(actual) === toHex(pattern) ? undefined : `${path} = ${toHex(actual)}, want ${toHex(pattern)}`
  }
  if (Array.isArray(pattern)) {
    if (!Array.isArray(actual)) return `${path} is not an array`
    if (actual.length !== pattern.length) return `${path} has ${actual.length} items, want ${pattern.length}`
    for (let i = 0; i < pattern.length; i++) {
      const why = matchValue(actual[i], pattern[i], `${path}[${i}]`)
      if (why !== undefined) return why
    }
    return undefined
  }
  if (pattern !== null && typeof pattern === 'object') {
    if (actual === null || typeof actual !== 'object') return `${path} is not an object`
    for (const [k, v] of Object.entries(pattern)) {
      if (v === undefined) continue
      const why = matchValue((actual as Record<string, unknown>)[k], v, `${path}.${k}`)
      if (why !== undefined) return why
    }
    return undefined
  }
  return Object.is(actual, pattern) ? undefined : `${path} = ${String(actual)}, want ${String(pattern)}`
}

function describePattern (p: FramePattern): string { return JSON.stringify(p, jsonBytes) }

function jsonBytes (_k: string, v: unknown): unknown { return v instanceof Uint8Array ? toHex(v) : v }

const fmt = (t: number): string => (Math.round(t * 1000) / 1000).toString()
