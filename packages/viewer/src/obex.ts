/*!
 * The OBEX layer, which the capture decoder leaves as TinyTP data: like its TinyTP, a capture
 * says which selectors speak OBEX through IAS answers for class `OBEX` (or `OBEX:IrXfer`),
 * attribute `IrDA:TinyTP:LsapSel`. On those selectors, a TinyTP SDU that starts a packet holds
 * the opcode (or response code) and the packet's 16-bit big-endian length (IrOBEX 1.2 section
 * 3.1); the rest of a packet longer than one SDU follows in the next ones.
 */
import type { LayerDescription } from '@irdakit/capture'

const REQUESTS: Record<number, string> = { 0x00: 'Connect', 0x01: 'Disconnect', 0x02: 'Put', 0x03: 'Get', 0x05: 'SetPath', 0x7F: 'Abort' }
const RESPONSES: Record<number, string> = {
  0x10: 'Continue', 0x20: 'Success', 0x21: 'Created', 0x22: 'Accepted', 0x24: 'No Content', 0x40: 'Bad Request', 0x41: 'Unauthorized',
  0x43: 'Forbidden', 0x44: 'Not Found', 0x45: 'Method Not Allowed', 0x46: 'Not Acceptable', 0x48: 'Request Timeout', 0x49: 'Conflict',
  0x4C: 'Precondition Failed', 0x4D: 'Request Entity Too Large', 0x4F: 'Unsupported Media Type', 0x50: 'Internal Server Error',
  0x51: 'Not Implemented', 0x53: 'Service Unavailable', 0x60: 'Database Full', 0x61: 'Database Locked',
}
/** LAP header (2) + LM-MUX header (2) + TinyTP data header (1): where an OBEX packet starts in a frame. */
const OBEX_OFFSET = 5
/** Selector pairs followed at most (a hostile capture cannot grow this). */
const MAX_STREAMS = 256

/** The name of an OBEX opcode or response code (final bit included), or undefined. */
export function obexOperation (code: number): string | undefined {
  const name = REQUESTS[code & 0x7F] ?? (code >= 0x90 ? RESPONSES[code & 0x7F] : undefined)
  if (name === undefined) return undefined
  // Only Put and Get span packets; the others are always final.
  return (code & 0x80) !== 0 && ((code & 0x7F) === 0x02 || (code & 0x7F) === 0x03) ? `${name} final` : name
}

/** Describes the start of an OBEX packet at `bytes` (opcode and length), without state. */
export function describeObexStart (bytes: Uint8Array): LayerDescription | undefined {
  if (bytes.length < 3) return undefined
  const op = obexOperation(bytes[0])
  const length = (bytes[1] << 8) | bytes[2]
  if (op === undefined || length < 3) return undefined
  return { layer: 'OBEX' as LayerDescription['layer'], summary: `obex: ${op} len=${length}`, fields: { code: bytes[0], operation: op, length } }
}

/** Follows the OBEX selectors and packets of one capture, frame by frame. */
export class ObexTracker {
  private readonly lsaps = new Set<number>()
  /** Bytes still due of the packet in progress, by `slsap << 8 | dlsap`. */
  private readonly due = new Map<number, number>()

  /** Learns OBEX selectors from the frame's layers, and returns the OBEX layer it carries, if any. */
  frame (bytes: Uint8Array, layers: LayerDescription[]): LayerDescription | undefined {
    const ias = layers.find(l => l.layer === 'IAS')
    if (ias !== undefined) this.learn(ias.fields)
    const lmp = layers.find(l => l.layer === 'LMP')
    const ttp = layers.find(l => l.layer === 'TTP')
    if (lmp === undefined || ttp === undefined || lmp.fields.kind !== 'data') return undefined
    const slsap = Number(lmp.fields.slsap)
    const dlsap = Number(lmp.fields.dlsap)
    if (!this.lsaps.has(slsap) && !this.lsaps.has(dlsap)) return undefined
    const key = (slsap << 8) | dlsap
    const body = bytes.subarray(OBEX_OFFSET)
    const due = this.due.get(key) ?? 0
    if (due > 0) {
      const left = due - body.length
      if (left > 0) this.due.set(key, left)
      else this.due.delete(key)
      return { layer: 'OBEX' as LayerDescription['layer'], summary: `obex: continued, ${body.length} bytes`, fields: { continued: true, length: body.length } }
    }
    const start = describeObexStart(body)
    if (start === undefined) return undefined
    const left = Number(start.fields.length) - body.length
    if (left > 0 && (this.due.size < MAX_STREAMS || this.due.has(key))) this.due.set(key, left)
    return start
  }

  private learn (f: Record<string, unknown>): void {
    const cls = f.className
    if (f.attributeName !== 'IrDA:TinyTP:LsapSel' || (cls !== 'OBEX' && cls !== 'OBEX:IrXfer') || !Array.isArray(f.entries)) return
    for (const e of f.entries as Array<{ value?: unknown }>) {
      const m = /^int\((\d+)\)$/.exec(String(e.value))
      if (m !== null && this.lsaps.size < 128) this.lsaps.add(Number(m[1]) & 0x7F)
    }
  }
}
