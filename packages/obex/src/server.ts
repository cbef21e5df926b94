/*!
 * The OBEX server session, sans-I/O. Every request packet that needs the application gets
 * exactly one answer from it, and nothing more is read from the client meanwhile (OBEX waits for
 * each response), so a slow disk slows the sender instead of filling memory:
 *
 *   'put' { headers, delete, data, last }, then 'body' { data, last } per packet
 *        -> reply(now) (Continue), or on the last packet reply(now, Success | error code)
 *   'get' { headers }         -> getReply(now, { headers?, body, last })     (room: getRoom())
 *        'get-next'           -> getReply(...) again, until last
 *   'setpath' { name, parent, create } -> reply(now, code)
 *
 * The session answers by itself: Connect (min of both maximum packets; a Target it serves gets
 * Who and a Connection-ID, an unknown Target Service Unavailable), Disconnect, Abort (the
 * operation is dropped: 'abort'), non-final Get request packets (Continue), unknown opcodes
 * (Not Implemented) and malformed packets (Bad Request, counted in `malformed`). A lost framing
 * (a length under 3 or over our maximum) is 'fatal': close the transport. A client silent for
 * `timeoutMs` in the middle of an operation drops it ('timeout').
 */
import { HeaderId, MIN_MAX_PACKET, OBEX_VERSION, Opcode, ResponseCode } from './constants.js'
import { ObexStateError, type ObexWireError } from './errors.js'
import { bytesHeader, header, headersSize, numberHeader, type ObexHeader } from './headers.js'
import { decodeRequest, encodeResponse, PacketReader, type ObexRequest } from './packet.js'
import { SessionBase, type SessionOptions } from './session.js'

export type ServerEvent =
  | { type: 'connect', headers: ObexHeader[], target: Uint8Array | undefined, maxPacket: number }
  | { type: 'disconnect' }
  /** The first packet of a put: its headers and any body bytes it carries; `last` when it is also the final packet. */
  | { type: 'put', headers: ObexHeader[], delete: boolean, target: Uint8Array | undefined, data: Uint8Array, last: boolean }
  /** Each later packet of the running put: its body bytes; `last` on the final packet (End-of-Body). */
  | { type: 'body', data: Uint8Array, last: boolean }
  | { type: 'get', headers: ObexHeader[], target: Uint8Array | undefined }
  | { type: 'get-next' }
  | { type: 'setpath', name: string | undefined, parent: boolean, create: boolean, headers: ObexHeader[], target: Uint8Array | undefined }
  /** The client aborted the running operation, or went silent in it: drop what it left. */
  | { type: 'abort', op: 'put' | 'get' | undefined }
  | { type: 'timeout', op: 'put' | 'get' | undefined }
  /** A packet that did not decode; it was answered Bad Request. */
  | { type: 'malformed', error: ObexWireError }
  /** The byte stream cannot be framed any more: close the transport. */
  | { type: 'fatal', error: ObexWireError | ObexStateError }

export interface ServerSessionOptions extends SessionOptions {
  /** Target UUIDs this server serves (Folder Browsing, IrMC); Connect with another Target is refused. */
  targets?: Uint8Array[]
}

type Waiting = 'put' | 'put-last' | 'get' | 'setpath' | undefined

/** Connection-IDs one transport holds at most: a client that keeps connecting loses its oldest, so memory stays bounded. */
export const MAX_CONNECTION_IDS = 16

export class ObexServerSession extends SessionBase<ServerEvent> {
  private readonly reader: PacketReader
  private readonly targets: Uint8Array[]
  /** The request we owe an answer to (set while the application decides). */
  private waiting: Waiting
  /** The multi-packet operation in progress, between packets. */
  private op: 'put' | 'get-request' | 'get' | undefined
  private getHeaders: ObexHeader[] = []
  private readonly connections = new Map<number, Uint8Array>()
  private nextConnectionId = 1
  private target: Uint8Array | undefined
  /** Packets that did not decode. */
  malformed = 0
  private dead = false

  constructor (opts: ServerSessionOptions = {}) {
    super(opts)
    this.reader = new PacketReader(this.maxPacket)
    this.targets = opts.targets ?? []
  }

  /** Connection-IDs handed out and not yet disconnected or forgotten. */
  get connectionIds (): number { return this.connections.size }

  /** True while a request waits for the application's reply (false again after an abort dropped it). */
  get owes (): boolean { return this.waiting !== undefined }

  /** Body bytes a get response can carry next to `headers`. */
  getRoom (headers: ObexHeader[] = []): number { return this.sendMax - 3 - headersSize(headers) - 3 }

  handle (bytes: Uint8Array, now: number): void {
    if (this.dead) return
    const r = this.reader.push(bytes)
    if (!r.ok) { this.fatal(r.error); return }
    for (const packet of r.value) {
      if (this.waiting !== undefined && (packet[0] & 0x7F) !== Opcode.abort) {
        this.fatal(new ObexStateError(`the client sent 0x${packet[0].toString(16)} before its last request was answered`))
        return
      }
      const d = decodeRequest(packet)
      if (!d.ok) {
        this.malformed++
        this.dropOp()
        this.respond(ResponseCode.badRequest)
        this.emit({ type: 'malformed', error: d.error as ObexWireError })
        continue
      }
      this.onRequest(d.value, now)
      if (this.dead) return
    }
  }

  poll (now: number): void {
    if (this.deadline === undefined || now < this.deadline) return
    this.deadline = undefined
    const op = publicOp(this.op)
    this.dropOp()
    this.emit({ type: 'timeout', op })
  }

  /** Answers the request the last 'put' / 'body' / 'setpath' event came from. Default: Continue mid-put, else Success. */
  reply (now: number, code?: number, headers: ObexHeader[] = []): void {
    const w = this.owe()
    if (w === 'get') throw new ObexStateError('a get is answered with getReply')
    const c = code ?? (w === 'put' ? ResponseCode.continue : ResponseCode.success)
    this.respond(c, headers)
    if (w === 'put' && c === ResponseCode.continue) this.arm(now)
    else this.endOp()
  }

  /** Answers a get (or the next part of one) with a body chunk of at most `getRoom(headers)` bytes, or fails it with `code`. */
  getReply (now: number, r: { headers?: ObexHeader[], body?: Uint8Array, last?: boolean, code?: number }): void {
    const w = this.owe()
    if (w !== 'get') throw new ObexStateError('no get to answer')
    const headers = r.headers ?? []
    if (r.code !== undefined) { this.respond(r.code, headers); this.endOp(); return }
    const body = r.body ?? new Uint8Array(0)
    if (body.length > this.getRoom(headers)) throw new ObexStateError(`a get chunk of ${body.length} bytes does not fit; ${this.getRoom(headers)} do`)
    const last = r.last === true
    this.respond(last ? ResponseCode.success : ResponseCode.continue, [...headers, header(last ? HeaderId.endOfBody : HeaderId.body, body)])
    if (last) this.endOp()
    else this.arm(now)
  }

  private onRequest (q: ObexRequest, now: number): void {
    if (q.opcode === Opcode.abort) {
      const op = publicOp(this.op)
      this.dropOp()
      this.respond(ResponseCode.success)
      this.emit({ type: 'abort', op })
      return
    }
    const id = numberHeader(q.headers, HeaderId.connectionId)
    if (id !== undefined && !this.connections.has(id)) { this.dropOp(); this.respond(ResponseCode.unavailable); return }
    const target = id !== undefined ? this.connections.get(id) : this.target
    const headers = q.headers.filter(h => h.id !== HeaderId.connectionId)
    switch (q.opcode) {
      case Opcode.connect: return this.onConnect(q, headers)
      case Opcode.disconnect:
        this.dropOp()
        if (id !== undefined) this.connections.delete(id)
        this.respond(ResponseCode.success)
        this.sendMax = MIN_MAX_PACKET
        this.emit({ type: 'disconnect' })
        return
      case Opcode.put: return this.onPut(q, headers, target)
      case Opcode.get: return this.onGet(q, headers, target, now)
      case Opcode.setPath: {
        this.dropOp()
        const nameH = headers.find(h => h.id === HeaderId.name)
        this.waiting = 'setpath'
        this.emit({ type: 'setpath', name: nameH?.kind === 'unicode' ? nameH.value : undefined, parent: ((q.setPath?.flags ?? 0) & 1) !== 0, create: ((q.setPath?.flags ?? 0) & 2) === 0, headers, target })
        return
      }
      default:
        this.dropOp()
        this.respond(ResponseCode.notImplemented)
    }
  }

  private onConnect (q: ObexRequest, headers: ObexHeader[]): void {
    this.dropOp()
    const peerMax = q.connect?.maxPacket ?? 0
    if (peerMax < MIN_MAX_PACKET || ((q.connect?.version ?? 0) >> 4) !== 1) {
      this.respondConnect(ResponseCode.badRequest, [])
      return
    }
    const target = bytesHeader(headers, HeaderId.target)
    let answer: ObexHeader[] = []
    if (target !== undefined) {
      if (!this.targets.some(t => equal(t, target))) { this.respondConnect(ResponseCode.unavailable, []); return }
      const id = this.nextConnectionId
      this.nextConnectionId = id % 0xFFFFFFFE + 1 // 0xFFFFFFFF is no id
      if (this.connections.size >= MAX_CONNECTION_IDS) this.connections.delete(this.connections.keys().next().value as number)
      this.connections.set(id, target)
      answer = [header(HeaderId.connectionId, id), header(HeaderId.who, target)]
    }
    this.target = target
    this.sendMax = Math.min(peerMax, this.maxPacket)
    this.respondConnect(ResponseCode.success, answer)
    this.emit({ type: 'connect', headers, target, maxPacket: this.sendMax })
  }

  private onPut (q: ObexRequest, headers: ObexHeader[], target: Uint8Array | undefined): void {
    const isBody = (h: ObexHeader): boolean => (h.id === HeaderId.body || h.id === HeaderId.endOfBody) && h.kind === 'bytes'
    const bodies = headers.filter(isBody)
    const data = concat(bodies.map(h => h.value as Uint8Array))
    this.waiting = q.final ? 'put-last' : 'put'
    this.deadline = undefined
    if (this.op !== 'put') {
      this.dropOp()
      this.waiting = q.final ? 'put-last' : 'put'
      this.op = 'put'
      // A final put with neither Body nor End-of-Body deletes the object (IrOBEX 1.2 section 3.3.3.6).
      const del = q.final && bodies.length === 0
      this.emit({ type: 'put', headers: headers.filter(h => !isBody(h)), delete: del, target, data, last: q.final })
      return
    }
    this.emit({ type: 'body', data, last: q.final })
  }

  private onGet (q: ObexRequest, headers: ObexHeader[], target: Uint8Array | undefined, now: number): void {
    if (this.op === 'get') {
      // The client asks for the next part of the object.
      this.waiting = 'get'
      this.deadline = undefined
      this.emit({ type: 'get-next' })
      return
    }
    if (this.op !== 'get-request') this.dropOp()
    this.op = 'get-request'
    this.getHeaders.push(...headers)
    if (!q.final) {
      // The request's headers go on in the next packet (bounded: each packet is at most our maximum).
      if (this.getHeaders.length > 64) { this.dropOp(); this.respond(ResponseCode.badRequest); return }
      this.respond(ResponseCode.continue)
      this.arm(now)
      return
    }
    const all = this.getHeaders
    this.getHeaders = []
    this.op = 'get'
    this.waiting = 'get'
    this.deadline = undefined
    this.emit({ type: 'get', headers: all, target })
  }

  private owe (): Exclude<Waiting, undefined> {
    const w = this.waiting
    if (w === undefined) throw new ObexStateError('no request is waiting for an answer')
    this.waiting = undefined
    return w
  }

  private arm (now: number): void { this.deadline = now + this.timeoutMs }
  private endOp (): void { this.op = undefined; this.deadline = undefined; this.getHeaders = [] }
  private dropOp (): void { this.endOp(); this.waiting = undefined }

  private respond (code: number, headers: ObexHeader[] = []): void {
    this.send(encodeResponse({ code, headers }))
  }

  private respondConnect (code: number, headers: ObexHeader[]): void {
    this.send(encodeResponse({ code, headers, connect: { version: OBEX_VERSION, flags: 0, maxPacket: this.maxPacket } }))
  }

  private fatal (error: ObexWireError | ObexStateError): void {
    this.dead = true
    this.dropOp()
    this.emit({ type: 'fatal', error })
  }
}

const publicOp = (op: string | undefined): 'put' | 'get' | undefined => op === 'put' ? 'put' : op === undefined ? undefined : 'get'

function concat (parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
