/*!
 * The OBEX client session, sans-I/O. One operation at a time; each request waits for its
 * response (OBEX has no pipelining). The application drives the body:
 *
 *   connect(now) ............................ -> 'connected' | 'error'
 *   put(now, { headers })  -> 'continue' { room } -> putBody(now, chunk <= room, last) -> ...
 *                          -> 'done' (final response) | 'error'
 *   put(now, { headers, delete: true }) ..... -> 'done' | 'error'       (no body: delete)
 *   get(now, { headers }) -> 'body' { data, last } -> getNext(now) -> ... -> 'done' | 'error'
 *   setPath / disconnect ..................... -> 'done' | 'error'
 *   abort(now) during a put or get ........... -> 'error' (ObexAbortedError) for it
 *
 * A body never sits whole in memory: a put holds one packet, a get hands each packet's body up
 * and asks for the next only when the application calls `getNext` (backpressure both ways).
 * A request unanswered for `timeoutMs` fails with ObexTimeoutError and the session is broken
 * (`fatal`): the transport should be closed, since a late answer could not be told apart.
 */
import { HeaderId, MIN_MAX_PACKET, OBEX_VERSION, Opcode, ResponseCode, isSuccess, responseText } from './constants.js'
import { ObexAbortedError, ObexProtocolError, ObexStateError, ObexTimeoutError, responseError, type ObexConnectionError, type ObexResponseError, type ObexWireError } from './errors.js'
import { bytesHeader, header, headersSize, numberHeader, type ObexHeader } from './headers.js'
import { decodeResponse, encodeRequest, PacketReader, type ObexResponse } from './packet.js'
import { SessionBase, type SessionOptions } from './session.js'

export type ClientOp = 'connect' | 'disconnect' | 'put' | 'get' | 'setpath' | 'abort'

export type ClientEvent =
  | { type: 'connected', maxPacket: number, connectionId: number | undefined, who: Uint8Array | undefined, headers: ObexHeader[] }
  /** A put wants its next body chunk, at most `room` bytes. */
  | { type: 'continue', room: number }
  /** Body bytes of a get; `last` when the object is complete. Call getNext() for more. */
  | { type: 'body', data: Uint8Array, last: boolean, headers: ObexHeader[] }
  | { type: 'done', op: ClientOp, code: number, headers: ObexHeader[] }
  /** The operation failed; `fatal` when the session cannot continue (close the transport). */
  | { type: 'error', op: ClientOp | undefined, error: ObexResponseError | ObexTimeoutError | ObexProtocolError | ObexAbortedError | ObexWireError | ObexConnectionError, fatal: boolean }

type Phase = 'await-response' | 'app-turn'

interface Op { kind: ClientOp, phase: Phase, firstHeaders?: ObexHeader[], abortWanted?: boolean, aborting?: ClientOp }

export interface ConnectRequest { target?: Uint8Array, who?: Uint8Array, headers?: ObexHeader[] }

export class ObexClientSession extends SessionBase<ClientEvent> {
  private readonly reader: PacketReader
  private op: Op | undefined
  private broken = false
  /** Set by a Connect response carrying Connection-ID; sent first in every later operation. */
  connectionId: number | undefined
  connected = false

  constructor (opts: SessionOptions = {}) {
    super(opts)
    this.reader = new PacketReader(this.maxPacket)
  }

  /** True while an operation runs. */
  get busy (): boolean { return this.op !== undefined }
  get isBroken (): boolean { return this.broken }

  connect (now: number, req: ConnectRequest = {}): void {
    const headers = [
      ...(req.target !== undefined ? [header(HeaderId.target, req.target)] : []),
      ...(req.who !== undefined ? [header(HeaderId.who, req.who)] : []),
      ...(req.headers ?? []),
    ]
    this.start('connect', now)
    this.request(now, { opcode: Opcode.connect, final: true, headers, connect: { version: OBEX_VERSION, flags: 0, maxPacket: this.maxPacket } })
  }

  disconnect (now: number, headers: ObexHeader[] = []): void {
    this.start('disconnect', now)
    this.request(now, { opcode: Opcode.disconnect, final: true, headers: this.withId(headers) })
  }

  setPath (now: number, opts: { name?: string, parent?: boolean, create?: boolean, headers?: ObexHeader[] } = {}): void {
    const flags = (opts.parent === true ? 0x01 : 0) | (opts.create === true ? 0 : 0x02)
    const headers = this.withId([...(opts.name !== undefined ? [header(HeaderId.name, opts.name)] : []), ...(opts.headers ?? [])])
    this.start('setpath', now)
    this.request(now, { opcode: Opcode.setPath, final: true, setPath: { flags, constants: 0 }, headers })
  }

  /** Starts a put. With `delete` the request goes out at once with no body; otherwise 'continue' asks for the first chunk. */
  put (now: number, opts: { headers: ObexHeader[], delete?: boolean }): void {
    const headers = this.withId(opts.headers)
    this.fits(headers, 3)
    this.start('put', now)
    if (opts.delete === true) {
      this.request(now, { opcode: Opcode.put, final: true, headers })
      return
    }
    if (this.op !== undefined) this.op.firstHeaders = headers
    this.emit({ type: 'continue', room: this.room(headers) })
  }

  /** The next chunk of a put (at most the room the last 'continue' gave); `last` sends End-of-Body and ends the request. */
  putBody (now: number, data: Uint8Array, last: boolean): void {
    const op = this.turn('put')
    const headers = op.firstHeaders ?? []
    op.firstHeaders = undefined
    if (data.length > this.room(headers)) throw new ObexStateError(`a put chunk of ${data.length} bytes does not fit; ${this.room(headers)} do`)
    this.request(now, { opcode: Opcode.put, final: last, headers: [...headers, header(last ? HeaderId.endOfBody : HeaderId.body, data)] })
  }

  get (now: number, opts: { headers: ObexHeader[] }): void {
    const headers = this.withId(opts.headers)
    this.fits(headers, 0)
    this.start('get', now)
    this.request(now, { opcode: Opcode.get, final: true, headers })
  }

  /** Asks for the next part of a get, after the application took the last 'body'. */
  getNext (now: number): void {
    this.turn('get')
    this.request(now, { opcode: Opcode.get, final: true, headers: [] })
  }

  /**
   * Aborts the running put or get: at once if it is our turn, else as soon as the pending
   * response arrives (OBEX sends Abort in place of the next request).
   */
  abort (now: number): void {
    const op = this.op
    if (op === undefined || (op.kind !== 'put' && op.kind !== 'get')) throw new ObexStateError('nothing to abort')
    if (op.phase === 'await-response') { op.abortWanted = true; return }
    this.sendAbort(now)
  }

  handle (bytes: Uint8Array, now: number): void {
    if (this.broken) return
    const r = this.reader.push(bytes)
    if (!r.ok) { this.fail(r.error, true); return }
    for (const packet of r.value) {
      const op = this.op
      if (op === undefined || op.phase !== 'await-response') { this.fail(new ObexProtocolError(`a response (0x${packet[0].toString(16)}) nobody asked for`), true); return }
      // Some servers refuse a Connect with a bare 3-byte response, without the Connect fields.
      const bareRefusal = op.kind === 'connect' && packet.length < 7 && !isSuccess(packet[0])
      const d = decodeResponse(packet, { connect: op.kind === 'connect' && !bareRefusal })
      if (!d.ok) { this.fail(d.error, true); return }
      this.deadline = undefined
      this.onResponse(op, d.value, now)
      if (this.broken) return
    }
  }

  poll (now: number): void {
    if (this.deadline === undefined || now < this.deadline) return
    this.deadline = undefined
    this.fail(new ObexTimeoutError(`no answer to ${this.op?.kind ?? 'the request'} within ${this.timeoutMs} ms`), true)
  }

  private onResponse (op: Op, rsp: ObexResponse, now: number): void {
    const code = rsp.code
    if (op.kind === 'abort') {
      this.op = undefined
      this.emit({ type: 'error', op: op.aborting, error: new ObexAbortedError(`${op.aborting ?? 'the operation'} aborted (the server answered ${responseText(code)})`), fatal: false })
      return
    }
    if (op.abortWanted === true && code === ResponseCode.continue) { this.sendAbort(now); return }
    if (code === ResponseCode.continue && (op.kind === 'put' || op.kind === 'get')) {
      op.phase = 'app-turn'
      if (op.kind === 'put') this.emit({ type: 'continue', room: this.room([]) })
      else this.emit({ type: 'body', data: this.bodyOf(rsp.headers), last: false, headers: rsp.headers })
      return
    }
    this.op = undefined
    if (!isSuccess(code)) {
      this.emit({ type: 'error', op: op.kind, error: responseError(code), fatal: false })
      return
    }
    if (op.kind === 'connect') {
      const peerMax = rsp.connect?.maxPacket ?? 0
      if (peerMax < MIN_MAX_PACKET) { this.fail(new ObexProtocolError(`the server's maximum packet ${peerMax} is under OBEX's ${MIN_MAX_PACKET}`), true); return }
      this.sendMax = Math.min(peerMax, this.maxPacket)
      this.connectionId = numberHeader(rsp.headers, HeaderId.connectionId)
      this.connected = true
      this.emit({ type: 'connected', maxPacket: this.sendMax, connectionId: this.connectionId, who: bytesHeader(rsp.headers, HeaderId.who), headers: rsp.headers })
      return
    }
    if (op.kind === 'disconnect') { this.connected = false; this.connectionId = undefined; this.sendMax = MIN_MAX_PACKET }
    if (op.kind === 'get') this.emit({ type: 'body', data: this.bodyOf(rsp.headers), last: true, headers: rsp.headers })
    this.emit({ type: 'done', op: op.kind, code, headers: rsp.headers })
  }

  /** Body and End-of-Body bytes of a response, in order. */
  private bodyOf (hs: ObexHeader[]): Uint8Array {
    const parts = hs.filter(h => (h.id === HeaderId.body || h.id === HeaderId.endOfBody) && h.kind === 'bytes').map(h => h.value as Uint8Array)
    if (parts.length === 1) return parts[0]
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let off = 0
    for (const p of parts) { out.set(p, off); off += p.length }
    return out
  }

  private sendAbort (now: number): void {
    this.op = { kind: 'abort', phase: 'await-response', aborting: this.op?.kind }
    this.request(now, { opcode: Opcode.abort, final: true, headers: [] })
  }

  private withId (hs: ObexHeader[]): ObexHeader[] {
    return this.connectionId !== undefined ? [header(HeaderId.connectionId, this.connectionId), ...hs] : hs
  }

  /** Body bytes that fit in one packet next to `headers` (3 for the packet, 3 for the Body header). */
  private room (headers: ObexHeader[]): number { return this.sendMax - 3 - headersSize(headers) - 3 }

  private fits (headers: ObexHeader[], extra: number): void {
    if (3 + headersSize(headers) + extra > this.sendMax) throw new ObexStateError(`the request's headers take ${headersSize(headers)} bytes; packets to this peer carry at most ${this.sendMax}`)
  }

  private start (kind: ClientOp, _now: number): void {
    if (this.broken) throw new ObexStateError('the session is broken (a timeout or bad packet); close the transport')
    if (this.op !== undefined) throw new ObexStateError(`${kind} while ${this.op.kind} is still running`)
    this.op = { kind, phase: 'app-turn' }
  }

  private turn (kind: ClientOp): Op {
    const op = this.op
    if (op === undefined || op.kind !== kind || op.phase !== 'app-turn') throw new ObexStateError(`not waiting for the next part of a ${kind}`)
    return op
  }

  /** Sends a request packet of the running operation and waits for its response. */
  private request (now: number, r: Parameters<typeof encodeRequest>[0]): void {
    const packet = encodeRequest(r)
    if (this.op !== undefined) this.op.phase = 'await-response'
    this.deadline = now + this.timeoutMs
    this.send(packet)
  }

  private fail (error: ObexTimeoutError | ObexProtocolError | ObexWireError, fatal: boolean): void {
    const op = this.op?.kind
    this.op = undefined
    this.deadline = undefined
    if (fatal) this.broken = true
    this.emit({ type: 'error', op, error, fatal })
  }
}
