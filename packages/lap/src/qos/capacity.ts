/*!
 * Line capacity (IrLAP 1.1 section 6.6.11): how many bytes a station may put on the line in one
 * turn, by baud rate and maximum turnaround time. The table is the spec's (Linux `qos.c` and the
 * Windows CE stack carry the same numbers: 115200 bit/s at 500 ms -> 4800 bytes). Below
 * 115200 bit/s only 500 ms is allowed, so shorter times give the 500 ms row.
 */
import { BAUD_RATES, MAX_TURNAROUND_MS, DATA_SIZES } from './tables.js'

/** Rows follow BAUD_RATES, columns MAX_TURNAROUND_MS (500, 250, 100, 50 ms). 0 = not allowed. */
const MAX_LINE_CAPACITY: ReadonlyArray<readonly [number, number, number, number]> = [
  [100, 0, 0, 0], // 2400
  [400, 0, 0, 0], // 9600
  [800, 0, 0, 0], // 19200
  [1600, 0, 0, 0], // 38400
  [2360, 0, 0, 0], // 57600
  [4800, 2400, 960, 480], // 115200
  [28800, 11520, 5760, 2880], // 576000
  [57600, 28800, 11520, 5760], // 1152000
  [200000, 100000, 40000, 20000], // 4000000
  [800000, 400000, 160000, 80000], // 16000000
]

/** Speeds below this must use a 500 ms maximum turnaround time (IrLAP 6.6.3). */
export const MIN_BAUD_FOR_SHORT_TURNAROUND = 115200

/** The maximum turnaround time actually usable at `bps`: shorter values are raised to 500 ms below 115200 bit/s. */
export function effectiveMaxTurnaround (bps: number, maxTurnMs: number): number {
  return bps < MIN_BAUD_FOR_SHORT_TURNAROUND ? MAX_TURNAROUND_MS[0] : maxTurnMs
}

/**
 * Maximum line capacity in bytes for a baud rate and maximum turnaround time, both from the
 * IrLAP tables. Throws RangeError for values outside them (a caller bug: negotiated values
 * always come from the tables).
 */
export function lineCapacity (bps: number, maxTurnMs: number): number {
  const row = BAUD_RATES.indexOf(bps as typeof BAUD_RATES[number])
  const col = MAX_TURNAROUND_MS.indexOf(effectiveMaxTurnaround(bps, maxTurnMs) as typeof MAX_TURNAROUND_MS[number])
  if (row < 0 || col < 0) throw new RangeError(`no line capacity for ${bps} bit/s and ${maxTurnMs} ms`)
  return MAX_LINE_CAPACITY[row][col]
}

/** Bytes of framing per I frame counted by the rule: address, control, 2 FCS bytes, BOF, EOF. */
export const FRAME_OVERHEAD = 6

/** The bytes a line holds during `ms` at `bps` (10 bits per byte with start and stop bits). */
export function bytesInTime (bps: number, ms: number): number {
  return Math.floor(bps * ms / 10000)
}

export interface TxBudget {
  baudRate: number
  windowSize: number
  dataSize: number
  /** Additional BOFs per frame, at the negotiated speed. */
  additionalBofs: number
  minTurnaroundMs: number
}

/**
 * Bytes one full window takes: window x (data + 6 + additional BOFs) plus the minimum
 * turnaround expressed in bytes (as Linux counts it, which only makes the rule stricter).
 */
export function requestedLineCapacity (b: TxBudget): number {
  return b.windowSize * (b.dataSize + FRAME_OVERHEAD + b.additionalBofs) + bytesInTime(b.baudRate, b.minTurnaroundMs)
}

/**
 * Applies the line-capacity rule of IrLAP 6.6.11: while a full window does not fit the capacity,
 * reduce the window by one frame; once the window is 1, step the data size down the table
 * (never below 64 bytes). Returns the reduced budget.
 */
export function fitLineCapacity (b: TxBudget, capacity: number): TxBudget {
  const out = { ...b }
  while (requestedLineCapacity(out) > capacity) {
    if (out.windowSize > 1) {
      out.windowSize--
    } else {
      const lower = [...DATA_SIZES].reverse().find(s => s < out.dataSize)
      if (lower === undefined) break
      out.dataSize = lower
    }
  }
  return out
}
