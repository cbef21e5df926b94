/*!
 * A capture as the viewer holds it: one row of numbers per frame (time, airtime, sender and
 * receiver lane, innermost layer, LSAPs, flags, where its bytes lie in the pcap file), about
 * 40 bytes a frame, and no frame bytes nor decoded text. The page asks for a time range; the
 * frames in it are read back from the file and decoded again, so memory stays at the rows
 * whatever the capture's size, up to {@link DEFAULT_MAX_FRAMES} frames.
 *
 * Frames are added as they come (a pcap read 128 KiB at a time, or a live source writing
 * its pcap), so the page can draw the start of a capture while the rest is still indexed.
 */
import { closeSync, openSync, readSync } from 'node:fs'
import { DecodeSession, decodeFrame, type LayerDescription } from '@irdakit/capture'
import { airtimeMs, isSupportedSpeed, wrapForSpeed } from '@irdakit/phy'
import { FLAG, LAYERS, NO_LSAP, PROBLEM_FLAGS, type FlagName } from './schema.js'
import { StationTracker } from './stations.js'
import { ObexTracker, describeObexStart } from './obex.js'

/** Frames indexed at most (about 40 bytes each); the rest of a larger capture is counted only. */
export const DEFAULT_MAX_FRAMES = 4_000_000
/** Frames one range answer carries at most; a denser range is answered with counts per bucket. */
export const MAX_RANGE_FRAMES = 2000
/** A range's frames are read from the file in one piece when they span at most this many bytes. */
const SPAN_READ = 4 << 20
/** Until a source says otherwise, IrDA's contention speed. */
const CONTENTION_BPS = 9600
/** pcap record header + IrDA pseudo-header before each frame's bytes. */
export const PCAP_FRAME_OVERHEAD = 32
/** The pcap global header. */
export const PCAP_HEADER = 24

/** One frame as a source hands it over. */
export interface ViewRecord {
  /** End of the frame's airtime, ms. */
  timeMs: number
  direction: 'in' | 'out'
  /** IrLAP A + C + I, no FCS. Read during the call only. */
  frame: Uint8Array
  /** Line speed, when the source knows it. */
  speed?: number
  /** The sender's name, when the source knows it (rooms). */
  sender?: string
  /** Some station did not receive it intact (rooms). */
  lost?: boolean
}

/**
 * Reads a link's speed off its frames, for a source that does not know it (the CLI's
 * SpeedFollower fits). Fed every good frame, I frames as their two header bytes only.
 */
export interface SpeedTracker {
  readonly speed: number
  frame: (now: number, bytes: Uint8Array) => unknown
  poll?: (now: number) => unknown
}

/** Which frames the page shows. */
export interface ViewFilter {
  /** Innermost layers to hide (names from {@link LAYERS}). */
  hideLayers?: string[]
  /** Sender lanes to show; all when absent. */
  stations?: number[]
  /** Only frames to or from this LSAP selector. */
  lsap?: number
  /** Only frames with a problem flag. */
  problems?: boolean
}

/** A frame as the page draws it. */
export interface RangeFrame {
  i: number
  /** Start and end of its airtime, ms from the capture's first frame. */
  start: number
  end: number
  lane: number
  peer: number
  layer: string
  flags: number
  summary: string
  /** Silence before it when the sender changed (turnaround), ms. */
  turnaround?: number
}

export interface RangeAnswer {
  /** Frames matching the filter in the whole capture (so far). */
  total: number
  /** Matching frames ending in [from, to]. */
  inRange: number
  /** The frames, when there are at most `max`; else empty and `density` set. */
  frames: RangeFrame[]
  /** Per lane, per bucket of (to - from) / buckets: matching frames, and how many of them have problems. */
  density?: { buckets: number, counts: number[][], problems: number[][] }
}

export interface FrameDetail {
  i: number
  start: number
  end: number
  airtimeMs: number
  speed: number
  direction: 'in' | 'out'
  lane: number
  laneLabel: string
  peer: number
  flags: FlagName[]
  length: number
  hex: string
  summary: string
  layers: LayerDescription[]
  error?: string
  turnaroundMs?: number
}

export interface StoreStatus {
  source: string
  live: boolean
  /** True once the whole source has been read (never for a live source until it stops). */
  done: boolean
  /** Frames past {@link DEFAULT_MAX_FRAMES} (or the store's limit): counted, not drawn. */
  dropped: number
  error?: string
  truncated?: string
}

const LAYER_CODE = new Map<string, number>(LAYERS.map((l, i) => [l, i]))
const KIND_FLAGS: Record<string, number> = { REJ: FLAG.rej, SREJ: FLAG.srej, FRMR: FLAG.frmr }

export class CaptureStore {
  count = 0
  /** Where the first frame ended (ms in the source's time); times are kept relative to it. */
  private t0: number | undefined
  private cap = 0
  private end = new Float64Array(0)
  private air = new Float32Array(0)
  private offset = new Float64Array(0)
  private length = new Uint32Array(0)
  private speed = new Uint32Array(0)
  private lane = new Uint16Array(0)
  private peer = new Uint16Array(0)
  private lsap = new Uint16Array(0)
  private layer = new Uint8Array(0)
  private flags = new Uint8Array(0)
  private maxAir = 0
  private readonly stations = new StationTracker()
  private readonly session = new DecodeSession()
  private readonly obex = new ObexTracker()
  private readonly lsapsSeen = new Set<number>()
  private readonly maxFrames: number
  private fd: number | undefined
  private filtered: { key: string, upTo: number, list: Uint32Array, n: number } | undefined
  readonly status: StoreStatus

  /**
   * `file`: the pcap the frames' bytes are read back from (the offsets given to {@link add}).
   * `speedTracker`: reads the speed off the frames when records do not carry it.
   */
  constructor (readonly file: string, opts: { source: string, live?: boolean, speedTracker?: SpeedTracker, maxFrames?: number }) {
    this.status = { source: opts.source, live: opts.live === true, done: false, dropped: 0 }
    this.maxFrames = opts.maxFrames ?? DEFAULT_MAX_FRAMES
    this.speedTracker = opts.speedTracker
  }

  private readonly speedTracker: SpeedTracker | undefined

  /** Indexes one frame whose bytes lie at `frameOffset` in the file. Never throws on bad bytes. */
  add (rec: ViewRecord, frameOffset: number): void {
    if (this.count >= this.maxFrames) { this.status.dropped++; return }
    if (this.count === this.cap) this.grow()
    const i = this.count
    this.t0 ??= rec.timeMs
    const d = decodeFrame(rec.frame, this.session)
    const obex = d.error === undefined ? this.obex.frame(rec.frame, d.layers) : undefined
    const layers = obex !== undefined ? [...d.layers, obex] : d.layers
    const lap = layers[0]?.layer === 'LAP' ? layers[0].fields : undefined
    this.speedTracker?.poll?.(rec.timeMs)
    const bps = rec.speed ?? this.speedTracker?.speed ?? CONTENTION_BPS
    // No speed change rides in an I frame's information field: the tracker gets its header only,
    // which spares it parsing (and copying) every data frame of a long capture.
    if (rec.speed === undefined && d.error === undefined) this.speedTracker?.frame(rec.timeMs, (rec.frame[1] & 1) === 0 ? rec.frame.subarray(0, 2) : rec.frame)
    const st = this.stations.frame(i, lap, rec.direction, rec.sender)
    let flags = 0
    if (d.error !== undefined) flags |= FLAG.error
    if (st.retransmission) flags |= FLAG.retransmission
    if (rec.lost === true) flags |= FLAG.lost
    if (rec.direction === 'out') flags |= FLAG.out
    flags |= KIND_FLAGS[String(lap?.kind)] ?? 0
    if (st.resentIndex !== undefined) this.flags[st.resentIndex] |= FLAG.resent
    const lmp = layers.find(l => l.layer === 'LMP')
    let lsaps = NO_LSAP
    if (lmp !== undefined) {
      const s = Number(lmp.fields.slsap) & 0x7F
      const dl = Number(lmp.fields.dlsap) & 0x7F
      lsaps = (s << 8) | dl
      if (this.lsapsSeen.size < 256) { this.lsapsSeen.add(s); this.lsapsSeen.add(dl) }
    }
    const air = airtime(rec.frame, bps)
    this.end[i] = rec.timeMs - this.t0
    this.air[i] = air
    this.maxAir = Math.max(this.maxAir, air)
    this.offset[i] = frameOffset
    this.length[i] = rec.frame.length
    this.speed[i] = bps
    this.lane[i] = st.lane
    this.peer[i] = st.peer
    this.lsap[i] = lsaps
    this.layer[i] = LAYER_CODE.get(layers[layers.length - 1]?.layer ?? 'LAP') ?? 0
    this.flags[i] = flags
    this.count++
  }

  /** The source has ended (with `error` when it failed). */
  finish (outcome: { error?: string, truncated?: string } = {}): void {
    this.status.done = true
    if (outcome.error !== undefined) this.status.error = outcome.error
    if (outcome.truncated !== undefined) this.status.truncated = outcome.truncated
  }

  /** What the page needs to set itself up. */
  info (): Record<string, unknown> {
    return {
      ...this.status,
      frames: this.count,
      durationMs: this.count === 0 ? 0 : this.end[this.count - 1],
      lanes: this.stations.labels.map((label, id) => ({ id, label })),
      lsaps: [...this.lsapsSeen].sort((a, b) => a - b),
      layers: LAYERS,
      flags: FLAG,
      problemFlags: PROBLEM_FLAGS,
      maxRangeFrames: MAX_RANGE_FRAMES,
    }
  }

  /** Frames matching `filter` that end in [from, to] ms, or counts per bucket when there are more than `max`. */
  range (filter: ViewFilter, from: number, to: number, opts: { max?: number, buckets?: number } = {}): RangeAnswer {
    const max = Math.min(opts.max ?? MAX_RANGE_FRAMES, MAX_RANGE_FRAMES)
    const list = this.matching(filter)
    const n = list === undefined ? this.count : list.n
    const at = (k: number): number => list === undefined ? k : list.list[k]
    const lo = this.lowerBound(n, at, from)
    const hi = this.lowerBound(n, at, to + this.maxAir + 1e-9)
    // Frames ending after `to` but starting before it are drawn too: they are on screen.
    let last = lo
    while (last < hi && this.end[at(last)] - this.air[at(last)] <= to) last++
    const inRange = last - lo
    if (inRange > max) {
      const buckets = Math.max(1, Math.min(opts.buckets ?? 400, 4000))
      const lanes = this.stations.labels.length
      const counts = Array.from({ length: lanes }, () => new Array<number>(buckets).fill(0))
      const problems = Array.from({ length: lanes }, () => new Array<number>(buckets).fill(0))
      const width = Math.max(to - from, 1e-9)
      for (let k = lo; k < last; k++) {
        const i = at(k)
        const b = Math.min(buckets - 1, Math.max(0, Math.floor((this.end[i] - from) / width * buckets)))
        counts[this.lane[i]][b]++
        if ((this.flags[i] & PROBLEM_FLAGS) !== 0) problems[this.lane[i]][b]++
      }
      return { total: n, inRange, frames: [], density: { buckets, counts, problems } }
    }
    const session = this.rangeSession()
    const frames: RangeFrame[] = []
    const read = this.reader(at(lo), at(Math.max(lo, last - 1)))
    for (let k = lo; k < last; k++) {
      const i = at(k)
      const bytes = read(i)
      const d = decodeFrame(bytes, session)
      let summary = d.summary
      if (LAYERS[this.layer[i]] === 'OBEX') summary += ' ' + (describeObexStart(bytes.subarray(5))?.summary ?? 'obex: continued')
      const ta = this.turnaround(i)
      frames.push({
        i,
        start: this.end[i] - this.air[i],
        end: this.end[i],
        lane: this.lane[i],
        peer: this.peer[i],
        layer: LAYERS[this.layer[i]],
        flags: this.flags[i],
        summary,
        ...(ta !== undefined ? { turnaround: ta } : {}),
      })
    }
    return { total: n, inRange, frames }
  }

  /** Everything about frame `i`, or undefined when there is no such frame. */
  detail (i: number): FrameDetail | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined
    const bytes = this.bytes(i)
    const d = decodeFrame(bytes, this.rangeSession())
    const layers = [...d.layers]
    if (LAYERS[this.layer[i]] === 'OBEX') {
      layers.push(describeObexStart(bytes.subarray(5)) ?? { layer: 'OBEX' as LayerDescription['layer'], summary: 'obex: continued', fields: { continued: true } })
    }
    const ta = this.turnaround(i)
    return {
      i,
      start: this.end[i] - this.air[i],
      end: this.end[i],
      airtimeMs: this.air[i],
      speed: this.speed[i],
      direction: (this.flags[i] & FLAG.out) !== 0 ? 'out' : 'in',
      lane: this.lane[i],
      laneLabel: this.stations.labels[this.lane[i]] ?? '',
      peer: this.peer[i],
      flags: (Object.keys(FLAG) as FlagName[]).filter(k => (this.flags[i] & FLAG[k]) !== 0),
      length: bytes.length,
      hex: Buffer.from(bytes).toString('hex'),
      summary: layers.map(l => l.summary).join(' ') + (d.error !== undefined ? ` [error: ${d.error}]` : ''),
      layers,
      ...(d.error !== undefined ? { error: d.error } : {}),
      ...(ta !== undefined ? { turnaroundMs: ta } : {}),
    }
  }

  /** Bytes the store holds for its rows and its last filter (the frames' bytes stay in the file). */
  memoryBytes (): number {
    const cols = [this.end, this.air, this.offset, this.length, this.speed, this.lane, this.peer, this.lsap, this.layer, this.flags]
    return cols.reduce((n, c) => n + c.byteLength, 0) + (this.filtered?.list.byteLength ?? 0)
  }

  /** Closes the file the bytes are read from. */
  close (): void {
    if (this.fd !== undefined) closeSync(this.fd)
    this.fd = undefined
  }

  /** Silence between the previous frame's end and this one's start, when another station sent the previous one. */
  private turnaround (i: number): number | undefined {
    if (i === 0 || this.lane[i] === this.lane[i - 1]) return undefined
    return Math.max(0, this.end[i] - this.air[i] - this.end[i - 1])
  }

  /** A decode session that knows the TinyTP and IrCOMM selectors the whole capture announced. */
  private rangeSession (): DecodeSession {
    const s = new DecodeSession(this.session.ttpLsaps)
    for (const l of this.session.ircommLsaps) s.ircommLsaps.add(l)
    return s
  }

  /**
   * Reads frames `first`..`last` (file order) for a range: one read of the whole span when it is
   * at most {@link SPAN_READ} bytes (the usual screenful), else one read a frame (a sparse filter).
   */
  private reader (first: number, last: number): (i: number) => Uint8Array {
    const base = this.offset[first]
    const span = this.offset[last] + this.length[last] - base
    if (!(span > 0 && span <= SPAN_READ)) return i => this.bytes(i)
    this.fd ??= openSync(this.file, 'r')
    const buf = new Uint8Array(span)
    let got = 0
    while (got < span) {
      const n = readSync(this.fd, buf, got, span - got, base + got)
      if (n === 0) break
      got += n
    }
    return i => {
      const from = this.offset[i] - base
      return from >= 0 && from + this.length[i] <= got ? buf.subarray(from, from + this.length[i]) : this.bytes(i)
    }
  }

  private bytes (i: number): Uint8Array {
    this.fd ??= openSync(this.file, 'r')
    const out = new Uint8Array(this.length[i])
    let got = 0
    while (got < out.length) {
      const n = readSync(this.fd, out, got, out.length - got, this.offset[i] + got)
      if (n === 0) break
      got += n
    }
    return out.subarray(0, got)
  }

  /** The first position k < n whose frame ends at or after `t` (ends are in capture order). */
  private lowerBound (n: number, at: (k: number) => number, t: number): number {
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.end[at(mid)] < t) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /** The frames passing `filter`, as a list of indices (undefined: all), kept for the next call. */
  private matching (filter: ViewFilter): { list: Uint32Array, n: number } | undefined {
    const hidden = new Set((filter.hideLayers ?? []).map(l => LAYER_CODE.get(l)).filter(c => c !== undefined))
    const stations = filter.stations === undefined ? undefined : new Set(filter.stations)
    const lsap = filter.lsap
    const problems = filter.problems === true
    if (hidden.size === 0 && stations === undefined && lsap === undefined && !problems) return undefined
    const key = JSON.stringify([[...hidden].sort(), stations === undefined ? null : [...stations].sort(), lsap ?? null, problems])
    let f = this.filtered
    if (f === undefined || f.key !== key) f = { key, upTo: 0, list: new Uint32Array(1024), n: 0 }
    for (let i = f.upTo; i < this.count; i++) {
      if (hidden.has(this.layer[i])) continue
      if (stations !== undefined && !stations.has(this.lane[i])) continue
      if (lsap !== undefined && (this.lsap[i] === NO_LSAP || ((this.lsap[i] >> 8) !== lsap && (this.lsap[i] & 0xFF) !== lsap))) continue
      if (problems && (this.flags[i] & PROBLEM_FLAGS) === 0) continue
      if (f.n === f.list.length) { const bigger = new Uint32Array(f.list.length * 2); bigger.set(f.list); f.list = bigger }
      f.list[f.n++] = i
    }
    f.upTo = this.count
    this.filtered = f
    return f
  }

  private grow (): void {
    const cap = Math.min(Math.max(4096, this.cap * 2), this.maxFrames)
    const more = <T extends Float64Array | Float32Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T): T => { const a = make(cap); a.set(old); return a }
    this.end = more(this.end, n => new Float64Array(n))
    this.air = more(this.air, n => new Float32Array(n))
    this.offset = more(this.offset, n => new Float64Array(n))
    this.length = more(this.length, n => new Uint32Array(n))
    this.speed = more(this.speed, n => new Uint32Array(n))
    this.lane = more(this.lane, n => new Uint16Array(n))
    this.peer = more(this.peer, n => new Uint16Array(n))
    this.lsap = more(this.lsap, n => new Uint16Array(n))
    this.layer = more(this.layer, n => new Uint8Array(n))
    this.flags = more(this.flags, n => new Uint8Array(n))
    this.cap = cap
  }
}

/** Time on air at `bps` of the frame as the line carries it (SIR/MIR/FIR framing and FCS included). */
function airtime (frame: Uint8Array, bps: number): number {
  const speed = isSupportedSpeed(bps) ? bps : CONTENTION_BPS
  return airtimeMs(wrapForSpeed(frame, speed), speed)
}
