/*!
 * QoS negotiation (IrLAP 1.1 section 6.6). Two kinds of parameter:
 *
 * - Type 0 (baud rate, link disconnect/threshold time) must be the same for both stations: the
 *   value is the highest bit of the intersection of both offers.
 * - Type 1 (maximum turnaround, data size, window size, additional BOFs, minimum turnaround) is
 *   stated by each station for itself, and binds the OTHER station when it transmits: the
 *   value a station states is what it can receive (data size, window), what it needs in front of
 *   each frame (additional BOFs), the quiet time it needs after it sent before it can receive
 *   (minimum turnaround), and the longest it will wait for the line (maximum turnaround). A
 *   station's value is the highest bit it set.
 *
 * So, from our point of view, the peer's statement governs what we send, and ours governs what
 * the peer sends. Linux `irlap_qos_negotiate` agrees (the peer's type-1 bits go to `qos_tx`,
 * its P timer uses the peer's maximum turnaround and its F timer ours), as does the Windows CE
 * stack (`RemoteDataSize`, `RemoteWinSize`, poll timer = `RemoteMaxTAT`, final = `LocalMaxTAT`).
 */
import { ok, fail, type Decoded } from '@irdakit/core'
import type { QosFields } from '../frame.js'
import { normalizeQos } from './codec.js'
import { BAUD_RATES, MAX_TURNAROUND_MS, DATA_SIZES, WINDOW_SIZES, ADDITIONAL_BOFS, MIN_TURNAROUND_MS, LINK_DISCONNECT_MS, msbIndex } from './tables.js'
import { lineCapacity, effectiveMaxTurnaround, fitLineCapacity, MIN_BAUD_FOR_SHORT_TURNAROUND } from './capacity.js'

/** The parameters of one connection, seen from one station. Times in ms, sizes in bytes. */
export interface LinkParams {
  /** Bit/s both stations switch to after UA (type 0: highest common). */
  baudRate: number
  /** Time without a valid frame after which the link is dropped (type 0: highest common). */
  linkDisconnectMs: number
  /** Threshold (N1) time after which the user is warned of a silent link: 3 s, or 0 (no warning) when the disconnect time is itself 3 s. */
  thresholdMs: number
  /** Largest information field we may send: the peer's stated data size, capped by `maxTxDataSize`, after the line-capacity rule. */
  txDataSize: number
  /** Frames we may send before we must pass the P/F bit: the peer's window size after the line-capacity rule. */
  txWindowSize: number
  /** XBOFs to put before each frame we send: the peer's stated count (at 115200) scaled to the negotiated speed. */
  txAdditionalBofs: number
  /** Quiet time we must leave after the peer's last frame before we transmit: the peer's stated minimum turnaround (floored). */
  txMinTurnaroundMs: number
  /** Longest we may hold the line (our P timer): the peer's stated maximum turnaround (500 ms below 115200 bit/s). */
  maxTurnaroundMs: number
  /** Bytes we may send in one turn at `baudRate` and `maxTurnaroundMs`. */
  lineCapacity: number
  /** Largest information field the peer may send us: our stated data size (the peer may send less after its own line-capacity rule). */
  rxDataSize: number
  /** Frames the peer may send before passing the P/F bit: our stated window size. */
  rxWindowSize: number
  /** Longest the peer may hold the line (what our F / WD timers wait for): our stated maximum turnaround. */
  peerMaxTurnaroundMs: number
  /** What was reduced or raised, and why (for logs; empty when nothing was). */
  notes: string[]
}

export interface NegotiateOptions {
  /**
   * Never send more data bytes per frame than this. Default 2042: IrPHY counts the 2048-byte
   * frame limit with header and CRC, and some receivers fail above 2042 (Linux
   * `sysctl_max_tx_data_size`). Sending less than allowed never breaks the spec.
   */
  maxTxDataSize?: number
  /**
   * Wait at least this long (ms) before transmitting, whatever the peer states. Default 0.01
   * (Linux' 10 µs): a peer stating 0 ms (Ericsson T39) still gets a breath.
   */
  minTxTurnaroundMs?: number
}

const valueAt = <T extends number>(table: readonly T[], bits: number): T => table[msbIndex(bits)]

/** XBOFs at `bps` for a count stated at 115200 bit/s (IrLAP 6.6.6); unscaled above 115200, where SIR BOFs do not apply. */
export function scaleAdditionalBofs (countAt115200: number, bps: number): number {
  return Math.floor(countAt115200 * Math.min(bps, 115200) / 115200)
}

/**
 * Negotiates the link from `local`'s point of view, given what both stations stated (the SNRM
 * and UA QoS). Both inputs are normalized first (empty fields take their defaults). Fails only
 * when the stations share no baud rate, which conforming stations never do (9600 is mandatory).
 */
export function negotiate (local: QosFields, remote: QosFields, opts: NegotiateOptions = {}): Decoded<LinkParams> {
  const l = normalizeQos(local)
  const r = normalizeQos(remote)
  const notes: string[] = []
  const baudBits = l.baudRate & r.baudRate
  if (baudBits === 0) return fail(`no common baud rate (ours 0x${l.baudRate.toString(16)}, peer's 0x${r.baudRate.toString(16)})`)
  const baudRate = valueAt(BAUD_RATES, baudBits)

  let discBits = l.linkDisconnect & r.linkDisconnect
  if (discBits === 0) {
    discBits = 0x01
    notes.push('no common link disconnect time: using 3 s')
  }
  const linkDisconnectMs = valueAt(LINK_DISCONNECT_MS, discBits)

  const statedMaxTurn = valueAt(MAX_TURNAROUND_MS, r.maxTurnaround)
  const maxTurnaroundMs = effectiveMaxTurnaround(baudRate, statedMaxTurn)
  if (maxTurnaroundMs !== statedMaxTurn) notes.push(`peer's max turnaround ${statedMaxTurn} ms raised to 500 ms below ${MIN_BAUD_FOR_SHORT_TURNAROUND} bit/s`)
  const capacity = lineCapacity(baudRate, maxTurnaroundMs)

  const statedData = valueAt(DATA_SIZES, r.dataSize)
  const cap = opts.maxTxDataSize ?? 2042
  const statedMtt = valueAt(MIN_TURNAROUND_MS, r.minTurnaround)
  const floor = opts.minTxTurnaroundMs ?? 0.01
  if (statedMtt < floor) notes.push(`peer's min turnaround ${statedMtt} ms raised to ${floor} ms`)
  const budget = {
    baudRate,
    windowSize: valueAt(WINDOW_SIZES, r.windowSize),
    dataSize: Math.min(statedData, cap),
    additionalBofs: scaleAdditionalBofs(valueAt(ADDITIONAL_BOFS, r.additionalBofs), baudRate),
    minTurnaroundMs: Math.max(statedMtt, floor),
  }
  const fitted = fitLineCapacity(budget, capacity)
  if (fitted.windowSize !== budget.windowSize || fitted.dataSize !== budget.dataSize) {
    notes.push(`line capacity ${capacity} B at ${baudRate} bit/s, ${maxTurnaroundMs} ms: window ${budget.windowSize} -> ${fitted.windowSize}, data ${budget.dataSize} -> ${fitted.dataSize}`)
  }

  return ok({
    baudRate,
    linkDisconnectMs,
    thresholdMs: linkDisconnectMs === LINK_DISCONNECT_MS[0] ? 0 : 3000,
    txDataSize: fitted.dataSize,
    txWindowSize: fitted.windowSize,
    txAdditionalBofs: fitted.additionalBofs,
    txMinTurnaroundMs: fitted.minTurnaroundMs,
    maxTurnaroundMs,
    lineCapacity: capacity,
    rxDataSize: valueAt(DATA_SIZES, l.dataSize),
    rxWindowSize: valueAt(WINDOW_SIZES, l.windowSize),
    peerMaxTurnaroundMs: effectiveMaxTurnaround(baudRate, valueAt(MAX_TURNAROUND_MS, l.maxTurnaround)),
    notes,
  })
}

/**
 * The QoS a secondary puts in its UA: its own type-1 values, and for the type-0 parameters the
 * intersection with the SNRM's offer (as Linux does), so the primary reads the agreed set.
 * Falls back to our own bits where the intersection is empty (negotiation then fails or uses 3 s).
 */
export function responseQos (local: QosFields, remote: QosFields): QosFields {
  const l = normalizeQos(local)
  const r = normalizeQos(remote)
  return {
    ...l,
    baudRate: (l.baudRate & r.baudRate) || l.baudRate,
    linkDisconnect: (l.linkDisconnect & r.linkDisconnect) || l.linkDisconnect,
  }
}
