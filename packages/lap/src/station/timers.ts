/*!
 * Timers as data (IrLAP 1.1 section 6.13). Each timer has its spec name and at most one
 * deadline; the station reads the earliest with `next()` and fires the due ones from `poll`.
 */

/**
 * - `P`: primary, holding the line with nothing to send: poll the secondary when it expires.
 * - `F`: primary, waiting for the secondary's response with the F bit (also SNRM/DISC/TEST answers).
 * - `WD`: secondary watchdog, waiting for a frame with the P bit.
 * - `Slot`: discovery initiator, one slot of the XID exchange.
 * - `Query`: discovery responder, waiting for the rest of a discovery (the final XID).
 * - `MediaBusy`: a queued discovery/connect/UI request waiting for 500 ms of quiet medium.
 * - `Backoff`: primary in SETUP, a random wait before repeating an unanswered SNRM.
 * - `Turn`: secondary, polled: its answer is built when this fires (due at once), so the
 *   layers above have seen what the poll brought and queued their reply first (not in IrLAP's
 *   list; Linux does the same by letting them reply before it decides on RR).
 */
export type TimerName = 'P' | 'F' | 'WD' | 'Slot' | 'Query' | 'MediaBusy' | 'Backoff' | 'Turn'

export const TIMER_NAMES: readonly TimerName[] = ['P', 'F', 'WD', 'Slot', 'Query', 'MediaBusy', 'Backoff', 'Turn']

export class TimerTable {
  private readonly deadlines = new Map<TimerName, number>()

  set (name: TimerName, at: number): void { this.deadlines.set(name, at) }
  stop (name: TimerName): void { this.deadlines.delete(name) }
  stopAll (): void { this.deadlines.clear() }
  get (name: TimerName): number | undefined { return this.deadlines.get(name) }
  running (name: TimerName): boolean { return this.deadlines.has(name) }

  /** The earliest deadline, or undefined when no timer runs. */
  next (): number | undefined {
    let min: number | undefined
    for (const at of this.deadlines.values()) if (min === undefined || at < min) min = at
    return min
  }

  /** The earliest timer due at `now` (removed from the table), in deadline order then name order. */
  takeDue (now: number): TimerName | undefined {
    let best: TimerName | undefined
    let bestAt = Infinity
    for (const name of TIMER_NAMES) {
      const at = this.deadlines.get(name)
      if (at !== undefined && at <= now && at < bestAt) { best = name; bestAt = at }
    }
    if (best !== undefined) this.deadlines.delete(best)
    return best
  }

  /** A copy for inspection (tests, the tester's traces). */
  snapshot (): Partial<Record<TimerName, number>> {
    return Object.fromEntries(this.deadlines) as Partial<Record<TimerName, number>>
  }
}
