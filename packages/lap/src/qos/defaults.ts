/*!
 * Building the QoS we offer from what the hardware and the user allow. Type-1 values are stated
 * the way Linux states them: every bit from the table's first entry up to the chosen one, so
 * readers that take the highest bit and readers that intersect both see the chosen value.
 */
import type { QosFields } from '../frame.js'
import { BAUD_RATES, MAX_TURNAROUND_MS, DATA_SIZES, ADDITIONAL_BOFS, MIN_TURNAROUND_MS, LINK_DISCONNECT_MS, bitsUpTo } from './tables.js'

export interface QosCapabilities {
  /** Speeds (bit/s) the port can run at. Values outside the IrLAP table are ignored; 9600 is always included (IrLAP 6.6.2). Default [9600]. */
  speeds?: readonly number[]
  /** Longest the peer may hold the line (ms): 500, 250, 100 or 50; others round down. Default 500 (all Linux ever offers). */
  maxTurnaroundMs?: number
  /** Largest information field we can receive (bytes); rounds down to the table. Default 2048. */
  dataSize?: number
  /** Frames we can buffer per turn, 1..7. Default 7. */
  windowSize?: number
  /** Additional BOFs we need in front of each frame, counted at 115200 bit/s; rounds up to the table. Default 0. */
  additionalBofs?: number
  /** Quiet time (ms) our receiver needs after we transmitted; rounds up to the table. Default 10 (safe for every transceiver). */
  minTurnaroundMs?: number
  /** Longest we keep a silent link (ms): rounds down to the table (3..40 s). Default 12000, as Linux. */
  linkDisconnectMs?: number
}

/** Index of the largest table entry <= value (tables sorted ascending), at least 0. */
function largestAtMost (table: readonly number[], value: number): number {
  let best = 0
  table.forEach((v, i) => { if (v <= value && v >= table[best]) best = i })
  return best
}

/** Index of the smallest entry >= value in a table sorted descending (the BOF and min-turnaround tables), at least 0. */
function smallestAtLeast (table: readonly number[], value: number): number {
  let best = 0
  table.forEach((v, i) => { if (v >= value) best = i })
  return best
}

/** Our offered QoS fields from capabilities (IrLAP 6.6). */
export function defaultQos (opts: QosCapabilities = {}): QosFields {
  let baudRate = 1 << BAUD_RATES.indexOf(9600)
  for (const s of opts.speeds ?? []) {
    const i = BAUD_RATES.indexOf(s as typeof BAUD_RATES[number])
    if (i >= 0) baudRate |= 1 << i
  }
  const maxTurnIndex = MAX_TURNAROUND_MS.findIndex(v => v <= (opts.maxTurnaroundMs ?? 500))
  const window = Math.min(7, Math.max(1, Math.floor(opts.windowSize ?? 7)))
  return {
    baudRate,
    maxTurnaround: bitsUpTo(maxTurnIndex < 0 ? MAX_TURNAROUND_MS.length - 1 : maxTurnIndex),
    dataSize: bitsUpTo(largestAtMost(DATA_SIZES, opts.dataSize ?? 2048)),
    windowSize: bitsUpTo(window - 1),
    additionalBofs: bitsUpTo(smallestAtLeast(ADDITIONAL_BOFS, opts.additionalBofs ?? 0)),
    minTurnaround: bitsUpTo(smallestAtLeast(MIN_TURNAROUND_MS, opts.minTurnaroundMs ?? 10)),
    linkDisconnect: bitsUpTo(largestAtMost(LINK_DISCONNECT_MS, opts.linkDisconnectMs ?? 12000)),
  }
}
