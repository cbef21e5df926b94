/*!
 * IrServer: a bound, listening IrDA service as a `net.Server`-like EventEmitter.
 *
 * listen({ service }) is Winsock's bind + listen: a service name gets a fresh selector and an
 * IAS object (class = service, integer attribute IrDA:TinyTP:LsapSel); 'LSAP-SELxxx' binds
 * selector xxx and registers nothing.
 *
 * The backlog follows Winsock on Windows CE: clamped to 1..5, then capped at 2 for IrDA. A
 * connection is *queued* from its IrLMP connect indication until the server emits it as
 * 'connection'. Emitting is immediate while the server flows, so the queue only fills while
 * the server is paused (`pause()`, or no 'connection' listener yet). A connection arriving
 * when `backlog` are queued is refused at IrLMP level, and the client gets WSAECONNREFUSED.
 */
import { EventEmitter } from 'node:events'
import type { IrdaStack, TtpServer, TtpSocket } from '@irdakit/stack'
import { parseLsapSelName } from './af_irda.js'
import { IRDA_MAX_BACKLOG, TINYTP_LSAPSEL_ATTRIBUTE } from './irsock.js'
import { IrSockError } from './net-errors.js'
import { IrSocket, type IrSocketOptions } from './net-socket.js'
import { SOMAXCONN, WSAEADDRINUSE, WSAEADDRNOTAVAIL, WSAEINVAL } from './winsock.js'

export type IrServerOptions = IrSocketOptions

export interface IrListenOptions {
  /** An IAS class name (at most 60 characters), or 'LSAP-SELxxx' (xxx 1..111) for a fixed selector. */
  service: string
  /** Winsock's listen backlog: 1..5 (others clamp), then capped at 2; SOMAXCONN means 2. Default 2. */
  backlog?: number
}

export interface IrServerAddress { service: string, lsap: number }

export interface IrServerEvents {
  listening: []
  connection: [socket: IrSocket]
  /** Emitted once the server is closed and every connection it handed out has closed. */
  close: []
  error: [err: Error]
  newListener: [event: string | symbol, listener: (...args: unknown[]) => void]
}

/**
 * Winsock's rule: SOMAXCONN lets the provider choose; 1..5 (the nearest legal value); then
 * IrSock's cap. No number (undefined, NaN, null, a string, an object, ...) means the default, 2:
 * whatever a caller passes, the cap holds (before, an object lifted it and a BigInt threw).
 */
export function effectiveBacklog (backlog: unknown): number {
  if (typeof backlog !== 'number' || backlog === SOMAXCONN || Number.isNaN(backlog)) return IRDA_MAX_BACKLOG
  return Math.min(IRDA_MAX_BACKLOG, Math.min(5, Math.max(1, Math.trunc(backlog))))
}

/** A listening IrDA service (see the module note for what counts as queued). */
export class IrServer extends EventEmitter<IrServerEvents> {
  private bound: { ttp: TtpServer, service: string, iasObject: number | undefined } | undefined
  private backlogLimit = IRDA_MAX_BACKLOG
  private paused = false
  private closing = false
  /** Accepted at IrLMP level, waiting for TinyTP's connection event (same stack pump). */
  private inflight = 0
  private readonly queue: IrSocket[] = []
  private readonly connections = new Set<IrSocket>()

  /** @internal Use `createServer()`. */
  constructor (private readonly stack: IrdaStack, private readonly opts: IrServerOptions = {}) {
    super()
    this.on('newListener', event => { if (event === 'connection') process.nextTick(() => this.flush()) })
  }

  get listening (): boolean { return this.bound !== undefined }
  /** The backlog in force (after clamping and IrDA's cap). */
  get backlog (): number { return this.backlogLimit }
  /** Connections indicated and not yet emitted. */
  get queued (): number { return this.queue.length }

  /** Binds and listens. 'listening' (and `callback`) follow asynchronously; failures come as 'error' (syscall 'listen'). */
  listen (opts: IrListenOptions, callback?: () => void): this {
    if (callback !== undefined) this.once('listening', callback)
    const fail = (errno: number, detail: string): this => {
      const err = new IrSockError(errno, 'listen', detail)
      process.nextTick(() => this.emit('error', err))
      return this
    }
    const { service } = opts
    if (this.bound !== undefined) return fail(WSAEADDRINUSE, `already listening on ${this.bound.service}`)
    if (service === '') return fail(WSAEADDRNOTAVAIL, 'empty service name')
    const fixed = parseLsapSelName(service)
    if (fixed === undefined && service.startsWith('LSAP-SEL')) return fail(WSAEADDRNOTAVAIL, `${service} is not LSAP-SEL1..127`)
    if (fixed !== undefined && fixed > 0x6F) return fail(WSAEADDRNOTAVAIL, `${service}: selectors 0x70.. are reserved`)
    if (fixed === undefined && service.length > 60) return fail(WSAEINVAL, 'an IAS class name has at most 60 characters')
    if (fixed === undefined && this.stack.ias.findByClass(service).some(o => o.attributes.has(TINYTP_LSAPSEL_ATTRIBUTE))) {
      return fail(WSAEADDRINUSE, `service ${service} is already bound`)
    }
    let ttp: TtpServer
    try {
      ttp = this.stack.ttpListen({
        ...(fixed !== undefined ? { lsap: fixed } : {}),
        ...(this.opts.rxWindow !== undefined ? { rxWindow: this.opts.rxWindow } : {}),
        ...(this.opts.nineWire === true ? { maxSduSize: 0 } : {}), // IrCOMM runs TinyTP without SAR
        accept: () => this.admit(),
      })
    } catch (e) {
      return fail(WSAEADDRINUSE, e instanceof Error ? e.message : String(e))
    }
    let iasObject: number | undefined
    if (fixed === undefined) {
      try {
        iasObject = this.stack.ias.set(service, TINYTP_LSAPSEL_ATTRIBUTE, { type: 'integer', value: ttp.lsap })
      } catch (e) {
        ttp.close()
        return fail(WSAEINVAL, e instanceof Error ? e.message : String(e))
      }
    }
    ttp.on('connection', ts => this.onConnection(ts))
    this.bound = { ttp, service, iasObject }
    this.backlogLimit = effectiveBacklog(opts.backlog)
    this.closing = false
    process.nextTick(() => this.emit('listening'))
    return this
  }

  /** `{ service, lsap }` while listening, null otherwise. */
  address (): IrServerAddress | null {
    return this.bound === undefined ? null : { service: this.bound.service, lsap: this.bound.ttp.lsap }
  }

  /** Stops emitting 'connection': new ones queue up to the backlog, later ones are refused. */
  pause (): this { this.paused = true; return this }

  /** Emits the queued connections and new ones again. */
  resume (): this {
    this.paused = false
    process.nextTick(() => this.flush())
    return this
  }

  /**
   * Stops accepting: unbinds the selector, removes the IAS object, refuses the queued
   * connections. Connections already emitted live on; 'close' follows once they have closed.
   */
  close (callback?: (err?: Error) => void): this {
    if (this.bound === undefined) {
      if (callback !== undefined) {
        const err = Object.assign(new Error('Server is not running.'), { code: 'ERR_SERVER_NOT_RUNNING' })
        process.nextTick(() => callback(err))
      }
      return this
    }
    if (callback !== undefined) this.once('close', () => callback())
    const { ttp, iasObject } = this.bound
    this.bound = undefined
    this.closing = true
    ttp.close()
    if (iasObject !== undefined) this.stack.ias.removeObject(iasObject)
    for (const s of this.queue.splice(0)) s.destroy()
    this.maybeClosed()
    return this
  }

  /** The accept predicate: called by the stack at each IrLMP connect indication. */
  private admit (): boolean {
    if (this.bound === undefined || this.queue.length + this.inflight >= this.backlogLimit) return false
    // The stack emits the connection in the same pump; the reset only guards a TinyTP refusal.
    if (this.inflight++ === 0) queueMicrotask(() => { this.inflight = 0 })
    return true
  }

  private onConnection (ts: TtpSocket): void {
    this.inflight = Math.max(0, this.inflight - 1)
    if (this.bound === undefined) { ts.close({ flush: false }); return }
    this.queue.push(new IrSocket(this.bound.service, { ttp: ts }, this.opts))
    this.flush()
  }

  private flush (): void {
    while (!this.paused && this.queue.length > 0 && this.listenerCount('connection') > 0) {
      const socket = this.queue.shift() as IrSocket
      // A queued connection the peer already closed is handed out ended; only live ones hold 'close' back.
      if (!socket.closed) {
        this.connections.add(socket)
        socket.once('close', () => { this.connections.delete(socket); this.maybeClosed() })
      }
      this.emit('connection', socket)
    }
  }

  private maybeClosed (): void {
    if (!this.closing || this.connections.size > 0) return
    this.closing = false
    process.nextTick(() => this.emit('close'))
  }
}

/** Creates a server; `onConnection` becomes a 'connection' listener. Call `listen()` to bind it. */
export function createServer (stack: IrdaStack, opts?: IrServerOptions | ((socket: IrSocket) => void), onConnection?: (socket: IrSocket) => void): IrServer {
  const listener = typeof opts === 'function' ? opts : onConnection
  const server = new IrServer(stack, typeof opts === 'function' ? {} : opts)
  if (listener !== undefined) server.on('connection', listener)
  return server
}
