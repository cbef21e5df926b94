/*!
 * Time for irdakit. Protocol layers never read a clock: they are handed `now` (milliseconds)
 * and hand back deadlines. Whoever drives them (the stack driver, the emulator) owns a Clock.
 *
 * - `RealClock`: monotonic wall time, one Node timer armed for the nearest deadline.
 * - `VirtualClock`: time moves only when the driver says so, so a 40 s link timeout runs
 *   in microseconds and every run is deterministic.
 */

/** A cancellable timer returned by {@link Clock.setTimer}. */
export interface TimerHandle {
  cancel(): void
}

/** A source of time and timers, in milliseconds. */
export interface Clock {
  readonly kind: 'real' | 'virtual'
  /** Current time in ms. Monotonic, never decreases. */
  now(): number
  /** Run `fn` once when the clock reaches `at` (ms). Timers due at the same time fire in the order they were set. */
  setTimer(at: number, fn: () => void): TimerHandle
}

/**
 * A pending timer, and its own handle: one object a timer, no closure (a closure per timer was
 * measurable at 4 Mb/s in virtual time, where the stack re-arms a deadline for every frame).
 */
class Entry implements TimerHandle {
  cancelled = false
  constructor (readonly at: number, readonly seq: number, readonly fn: () => void) {}
  cancel (): void { this.cancelled = true }
}

/** A binary min-heap of timer entries ordered by (at, seq). */
class TimerHeap {
  private readonly items: Entry[] = []

  get size (): number { return this.items.length }
  peek (): Entry | undefined { return this.items[0] }

  push (e: Entry): void {
    const a = this.items
    // Sift up through a hole: each step moves one entry instead of swapping two.
    let i = a.length
    a.push(e)
    while (i > 0) {
      const p = (i - 1) >> 1
      if (!before(e, a[p])) break
      a[i] = a[p]
      i = p
    }
    a[i] = e
  }

  pop (): Entry | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    const n = a.length
    if (n > 0 && last !== undefined) {
      // Sift `last` down from the root through a hole.
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= n) break
        const m = l + 1 < n && before(a[l + 1], a[l]) ? l + 1 : l
        if (!before(a[m], last)) break
        a[i] = a[m]
        i = m
      }
      a[i] = last
    }
    return top
  }

  /** Drops cancelled entries from the top so `peek` shows a live one. */
  prune (): void {
    while (this.items.length > 0 && this.items[0].cancelled) this.pop()
  }
}

function before (a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq)
}

/**
 * Virtual time. Nothing happens until the driver calls {@link VirtualClock.runDue} or
 * {@link VirtualClock.advanceTo}; see {@link runVirtual} for driving it under async code.
 */
export class VirtualClock implements Clock {
  readonly kind = 'virtual' as const
  private time: number
  private seq = 0
  private readonly heap = new TimerHeap()

  constructor (start = 0) { this.time = start }

  now (): number { return this.time }

  setTimer (at: number, fn: () => void): TimerHandle {
    const e = new Entry(Math.max(at, this.time), this.seq++, fn)
    this.heap.push(e)
    return e
  }

  /** Time of the earliest pending timer, or undefined when none is pending. */
  nextTimerAt (): number | undefined {
    this.heap.prune()
    return this.heap.peek()?.at
  }

  /** Fires every timer due at the current time (including ones they set for now). Returns how many fired. */
  runDue (): number {
    let fired = 0
    for (;;) {
      this.heap.prune()
      const top = this.heap.peek()
      if (top === undefined || top.at > this.time) return fired
      this.heap.pop()
      top.cancelled = true
      top.fn()
      fired++
    }
  }

  /** Moves time forward to `t`, firing every timer due on the way, in order. */
  advanceTo (t: number): void {
    for (;;) {
      const next = this.nextTimerAt()
      if (next === undefined || next > t) break
      this.time = Math.max(this.time, next)
      this.runDue()
    }
    this.time = Math.max(this.time, t)
  }

  /** Advances by `ms`. */
  advance (ms: number): void { this.advanceTo(this.time + ms) }
}

/** Thrown by {@link runVirtual} when a promise can never settle: nothing is due and no timer is left. */
export class StalledError extends Error {
  static override name = 'StalledError'
  constructor (at: number) {
    super(`stalled at t=${at.toFixed(3)} ms: the promise is pending and no timer is left to run`)
    this.name = 'StalledError'
  }
}

export interface RunVirtualOptions {
  /** Give up (reject) when virtual time passes this many ms after the start. Default: unlimited. */
  limitMs?: number
}

const macrotask = async (): Promise<void> => await new Promise(resolve => setImmediate(resolve))

/**
 * Drives a VirtualClock until `p` settles. Each turn yields one macrotask so promise chains
 * settle, fires what is due, and when nothing is due jumps to the earliest timer. Rejects with
 * {@link StalledError} if `p` is pending and no timer is left.
 */
export async function runVirtual<T> (clock: VirtualClock, p: Promise<T>, opts: RunVirtualOptions = {}): Promise<T> {
  let settled = false
  const tracked = p.finally(() => { settled = true })
  tracked.catch(() => {})
  const start = clock.now()
  while (!settled) {
    await macrotask()
    if (settled) break
    if (clock.runDue() > 0) continue
    const next = clock.nextTimerAt()
    if (next === undefined) {
      // One more turn: a just-resolved promise may still schedule work.
      await macrotask()
      if (settled || clock.nextTimerAt() !== undefined) continue
      throw new StalledError(clock.now())
    }
    if (opts.limitMs !== undefined && next - start > opts.limitMs) {
      throw new Error(`virtual time limit of ${opts.limitMs} ms exceeded`)
    }
    clock.advanceTo(next)
  }
  return await tracked
}

/**
 * Wall-clock time from `performance.now()`, with a single Node timer armed for the nearest
 * deadline (so thousands of pending timers cost one `setTimeout`).
 */
export class RealClock implements Clock {
  readonly kind = 'real' as const
  private seq = 0
  private readonly heap = new TimerHeap()
  private armed: { at: number, handle: ReturnType<typeof setTimeout> } | undefined

  now (): number { return performance.now() }

  setTimer (at: number, fn: () => void): TimerHandle {
    const e = new Entry(at, this.seq++, fn)
    this.heap.push(e)
    this.arm()
    return e
  }

  private arm (): void {
    this.heap.prune()
    const top = this.heap.peek()
    if (top === undefined) {
      if (this.armed !== undefined) { clearTimeout(this.armed.handle); this.armed = undefined }
      return
    }
    if (this.armed !== undefined && this.armed.at <= top.at) return
    if (this.armed !== undefined) clearTimeout(this.armed.handle)
    const delay = Math.max(0, top.at - this.now())
    const handle = setTimeout(() => { this.armed = undefined; this.fire() }, delay)
    this.armed = { at: top.at, handle }
  }

  private fire (): void {
    const now = this.now()
    for (;;) {
      this.heap.prune()
      const top = this.heap.peek()
      if (top === undefined || top.at > now) break
      this.heap.pop()
      top.cancelled = true
      top.fn()
    }
    this.arm()
  }
}
