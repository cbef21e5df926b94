/*!
 * A layered, human-readable description of one captured IrLAP frame, for `irda dump`, traces
 * and test failures. Each layer (LAP now; LMP, IAS and TTP as their decoders land) adds one
 * entry with a one-line summary and its decoded fields; the frame's summary joins them, in the
 * irdadump style: `xid:cmd 0x9715b0cd > 0xffffffff S=6 s=0`. Never throws, whatever the bytes.
 */
import { describeLap } from './describe-lap.js'
import { describeUpper, DecodeSession } from './describe-upper.js'

export { DecodeSession }

export type LayerName = 'LAP' | 'LMP' | 'IAS' | 'TTP' | 'IrCOMM'

export interface LayerDescription {
  layer: LayerName
  /** One line, irdadump style. */
  summary: string
  /** Decoded fields by name (numbers, booleans, strings, small objects). */
  fields: Record<string, unknown>
}

export interface FrameDescription {
  /** Outermost first. Empty when not even the IrLAP header decoded. */
  layers: LayerDescription[]
  /** The layers' summaries joined, or the error. */
  summary: string
  /** Why decoding stopped, when it did (the frame is malformed at the layer after the last one listed). */
  error?: string
}

/**
 * Describes one IrLAP frame (A + C + I, no FCS), and the IrLMP, IAS and TinyTP PDUs inside I
 * and UI frames. Pass the same `session` for every frame of a capture so TinyTP is recognised
 * on the selectors IAS announced.
 */
export function decodeFrame (bytes: Uint8Array, session?: DecodeSession): FrameDescription {
  try {
    const lap = describeLap(bytes)
    const layers = lap.layer === undefined ? [] : [lap.layer]
    let error = lap.error
    const kind = lap.layer?.fields.kind
    if (error === undefined && (kind === 'I' || kind === 'UI') && bytes.length > 2) {
      const upper = describeUpper(bytes.subarray(2), session)
      for (const l of upper.layers) layers.push(l)
      error = upper.error
    }
    let summary = layers.length > 0 ? layers[0].summary : ''
    for (let i = 1; i < layers.length; i++) summary += ' ' + layers[i].summary
    if (error !== undefined) summary += (summary === '' ? '' : ' ') + `[error: ${error}]`
    return error === undefined ? { layers, summary } : { layers, summary, error }
  } catch (e) {
    // Defence in depth: the decoders return errors, but a describer must never take a dump down.
    const error = `describer failed: ${e instanceof Error ? e.message : String(e)}`
    return { layers: [], summary: `[error: ${error}]`, error }
  }
}

export interface FormatOptions {
  /** Append the frame's bytes in hex. */
  hex?: boolean
  /** The capture's decode session (see {@link decodeFrame}). */
  session?: DecodeSession
}

/** One irdadump-like line for a frame. */
export function formatFrame (bytes: Uint8Array, opts: FormatOptions = {}): string {
  const d = decodeFrame(bytes, opts.session)
  if (opts.hex !== true) return d.summary
  let hex = ''
  for (const b of bytes) hex += b.toString(16).padStart(2, '0') + ' '
  return `${d.summary}\n    ${hex.trimEnd()}`
}
