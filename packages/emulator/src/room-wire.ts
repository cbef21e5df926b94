/*!
 * The served room's wire protocol: newline-delimited JSON over a local (Unix) socket.
 *
 * Each line is one JSON object. Byte arrays travel as base64 strings; everything else is the
 * plain {@link StationMessage} / {@link MediumMessage} / {@link TransmissionSummary} data.
 * JSON rather than a binary framing: a 2 KB FIR frame costs about 10 us to encode and decode
 * (see the emulator README), far below any IrLAP time, and lines can be read with `socat`.
 *
 * 1. The client speaks first: `{ type: 'hello', protocol: 'irdakit-room', version, role, station? }`
 *    with role `station` (one Port; `station` is its name) or `watch` (a tap).
 * 2. The server answers `{ type: 'welcome', protocol, version, now, epochMs, stations }` or
 *    `{ type: 'refused', protocol, version, reason }` and closes.
 * 3. Then a station sends StationMessages for its own name only and receives MediumMessages;
 *    a watcher sends nothing and receives `{ type: 'summary', record }` per transmission.
 */
import { SPEEDS } from '@irdakit/phy'
import type { MediumMessage, StationMessage, TransmissionSummary } from './messages.js'
import type { TapRecord } from './room.js'

export const ROOM_PROTOCOL = 'irdakit-room'
export const ROOM_PROTOCOL_VERSION = 1
/** A line longer than this is not ours: the connection is dropped. A FIR frame is under 3 KB of base64. */
export const MAX_LINE_BYTES = 1 << 20

export type Hello = { type: 'hello', protocol: string, version: number } & ({ role: 'station', station: string } | { role: 'watch' })
export interface Welcome { type: 'welcome', protocol: string, version: number, now: number, epochMs: number, stations: string[] }
export interface Refused { type: 'refused', protocol: string, version: number, reason: string }

/** A line that does not decode: a message saying why (never thrown across the socket). */
export type Parsed<T> = { ok: true, value: T } | { ok: false, error: string }

const b64 = (u: Uint8Array): string => Buffer.from(u.buffer, u.byteOffset, u.length).toString('base64')
const B64 = /^[A-Za-z0-9+/]*={0,2}$/

/** JSON for one line, Uint8Arrays as base64. */
export function encodeLine (msg: object): string {
  return JSON.stringify(msg, (_k, v: unknown) => v instanceof Uint8Array ? b64(v) : v) + '\n'
}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const isName = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 64
const isSpeed = (v: unknown): v is number => typeof v === 'number' && (SPEEDS as readonly number[]).includes(v)
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v)

function bytes (v: unknown): Uint8Array | undefined {
  if (typeof v !== 'string' || v.length % 4 !== 0 || !B64.test(v)) return undefined
  return new Uint8Array(Buffer.from(v, 'base64'))
}

function json (line: string): Parsed<Obj> {
  let v: unknown
  try { v = JSON.parse(line) } catch { return { ok: false, error: 'not JSON' } }
  return isObj(v) ? { ok: true, value: v } : { ok: false, error: 'not a JSON object' }
}

const bad = (error: string): { ok: false, error: string } => ({ ok: false, error })

export function parseHello (line: string): Parsed<Hello> {
  const p = json(line)
  if (!p.ok) return p
  const m = p.value
  if (m.type !== 'hello' || m.protocol !== ROOM_PROTOCOL) return bad(`not an ${ROOM_PROTOCOL} hello`)
  if (typeof m.version !== 'number') return bad('hello without a version')
  if (m.role === 'watch') return { ok: true, value: { type: 'hello', protocol: ROOM_PROTOCOL, version: m.version, role: 'watch' } }
  if (m.role !== 'station') return bad('hello with an unknown role')
  if (!isName(m.station)) return bad('hello without a station name (1 to 64 characters)')
  return { ok: true, value: { type: 'hello', protocol: ROOM_PROTOCOL, version: m.version, role: 'station', station: m.station } }
}

export function parseGreeting (line: string): Parsed<Welcome | Refused> {
  const p = json(line)
  if (!p.ok) return p
  const m = p.value
  if (m.protocol !== ROOM_PROTOCOL || typeof m.version !== 'number') return bad(`not an ${ROOM_PROTOCOL} server`)
  if (m.type === 'refused') return { ok: true, value: { type: 'refused', protocol: ROOM_PROTOCOL, version: m.version, reason: String(m.reason) } }
  if (m.type !== 'welcome' || !isTime(m.now) || !isTime(m.epochMs) || !Array.isArray(m.stations)) return bad('a malformed welcome')
  return { ok: true, value: { type: 'welcome', protocol: ROOM_PROTOCOL, version: m.version, now: m.now, epochMs: m.epochMs, stations: m.stations.map(String) } }
}

/** A station's message, checked field by field (the server trusts nothing it reads). */
export function parseStationMessage (line: string): Parsed<StationMessage> {
  const p = json(line)
  if (!p.ok) return p
  const m = p.value
  if (!isName(m.station)) return bad('no station name')
  switch (m.type) {
    case 'attach':
    case 'speed':
      if (!isSpeed(m.speed)) return bad(`${m.type}: not an IrDA speed`)
      return { ok: true, value: { type: m.type, station: m.station, speed: m.speed } }
    case 'detach':
      return { ok: true, value: { type: 'detach', station: m.station } }
    case 'transmit': {
      const wire = bytes(m.wire)
      const frame = bytes(m.frame)
      if (!isSpeed(m.speed)) return bad('transmit: not an IrDA speed')
      if (typeof m.xbofs !== 'number' || !Number.isInteger(m.xbofs) || m.xbofs < 0 || m.xbofs > 1000) return bad('transmit: bad xbofs')
      if (wire === undefined || wire.length === 0 || frame === undefined || frame.length < 2) return bad('transmit: wire and frame must be base64 bytes')
      return { ok: true, value: { type: 'transmit', station: m.station, speed: m.speed, xbofs: m.xbofs, wire, frame } }
    }
    default:
      return bad('unknown message type')
  }
}

export function parseMediumMessage (line: string): Parsed<MediumMessage> {
  const p = json(line)
  if (!p.ok) return p
  const m = p.value
  if (!isName(m.station) || !isTime(m.at)) return bad('a medium message without station or time')
  switch (m.type) {
    case 'media':
      if (typeof m.busy !== 'boolean') return bad('media without busy')
      return { ok: true, value: { type: 'media', station: m.station, busy: m.busy, at: m.at } }
    case 'tx-end':
      if (typeof m.txId !== 'number') return bad('tx-end without txId')
      return { ok: true, value: { type: 'tx-end', station: m.station, txId: m.txId, at: m.at } }
    case 'receive': {
      const b = bytes(m.bytes)
      if (typeof m.txId !== 'number' || b === undefined) return bad('receive without txId or bytes')
      return { ok: true, value: { type: 'receive', station: m.station, txId: m.txId, bytes: b, at: m.at } }
    }
    default:
      return bad('unknown message type')
  }
}

/** A watcher's record. Receptions are passed through as sent (the server built them). */
export function parseSummaryLine (line: string): Parsed<TapRecord> {
  const p = json(line)
  if (!p.ok) return p
  if (p.value.type !== 'summary' || !isObj(p.value.record)) return bad('not a summary')
  const r = p.value.record
  const wire = bytes(r.wire)
  const frame = bytes(r.frame)
  if (wire === undefined || frame === undefined || !isTime(r.start) || !isTime(r.end) || typeof r.sender !== 'string' || !Array.isArray(r.receptions)) {
    return bad('a malformed summary')
  }
  const record = { ...(r as unknown as Omit<TransmissionSummary, 'wire' | 'frame'>), wire, frame } as TapRecord
  return { ok: true, value: record }
}

/** Splits a byte stream into lines; reports a line over {@link MAX_LINE_BYTES} instead of growing without end. */
export class LineReader {
  private buf = ''
  constructor (private readonly onLine: (line: string) => void, private readonly onOverflow: () => void) {}

  push (chunk: string): void {
    this.buf += chunk
    let from = 0
    for (let i = this.buf.indexOf('\n'); i >= 0; i = this.buf.indexOf('\n', from)) {
      const line = this.buf.slice(from, i)
      from = i + 1
      if (line.trim() !== '') this.onLine(line)
    }
    this.buf = this.buf.slice(from)
    if (this.buf.length > MAX_LINE_BYTES) { this.buf = ''; this.onOverflow() }
  }
}
