/*!
 * `ObexClient`: push, pull and browse over IrDA. `ObexClient.connect(stack)` finds the server
 * (discovery unless a device is given; IAS class `OBEX`, then the legacy `OBEX:IrXfer` that
 * some phones need, attribute `IrDA:TinyTP:LsapSel`), opens TinyTP without SAR and sends the
 * OBEX Connect. Methods run one at a time, each to its final response; failures are the typed
 * errors of errors.ts. Bodies stream a packet at a time from an async iterable (a file stream)
 * and to a sink, so a large file is never held whole.
 */
import { ConnectionError, IasQueryError, type IrdaStack, type TtpSocket } from '@irdakit/stack'
import { FOLDER_LISTING_TYPE, HeaderId, OBEX_IAS_CLASS, OBEX_IRXFER_IAS_CLASS, TINYTP_LSAPSEL } from './constants.js'
import { ObexClientSession, type ClientEvent } from './client.js'
import { ObexConnectionError, ObexStateError, ObexAbortedError, ObexLimitError, ObexProtocolError } from './errors.js'
import { parseFolderListing, type FolderEntry } from './folder-listing.js'
import { header, numberHeader, typeHeader, type ObexHeader } from './headers.js'
import { SessionLink } from './link.js'
import type { SessionOptions } from './session.js'

export interface ObexConnectOptions extends SessionOptions {
  /** The server's device; without it, discovery finds the one device offering OBEX. */
  deviceAddress?: number
  /** A Target header for the Connect (FOLDER_BROWSING_UUID, IRMC_SYNC_TARGET). */
  target?: Uint8Array
  /** IAS classes to try, in order. Default `OBEX`, then `OBEX:IrXfer`. */
  iasClasses?: string[]
  /** Discovery rounds while nobody answers. Default 3. */
  discoveryRounds?: number
}

export type Progress = (bytes: number, total: number | undefined) => void

export interface PutOptions { type?: string, length?: number, headers?: ObexHeader[], onProgress?: Progress }
export interface GetOptions {
  type?: string
  headers?: ObexHeader[]
  onProgress?: Progress
  /** Most bytes to take (default unlimited): beyond it the Get is aborted and rejects with ObexLimitError. */
  limit?: number
}

const hex = (a: number): string => `0x${(a >>> 0).toString(16).padStart(8, '0')}`
const LINK_WAIT_MS = 5000

/** Runs `work`, retrying while IrLMP's one link is still held by another device (it closes within ~2 s). */
async function onFreeLink<T> (stack: IrdaStack, work: () => Promise<T>): Promise<T> {
  const deadline = stack.clock.now() + LINK_WAIT_MS
  for (;;) {
    try {
      return await work()
    } catch (e) {
      if (!(e instanceof Error && e.name === 'LmLinkBusyError') || stack.clock.now() >= deadline) throw e
      await new Promise<void>(resolve => stack.clock.setTimer(stack.clock.now() + 100, resolve))
    }
  }
}

/** The first of `classes` that `device` offers in IAS: its class and TinyTP selector. */
export async function findObexService (stack: IrdaStack, device: number, classes = [OBEX_IAS_CLASS, OBEX_IRXFER_IAS_CLASS]): Promise<{ iasClass: string, lsap: number } | undefined> {
  for (const iasClass of classes) {
    const r = await onFreeLink(stack, async () => await stack.iasQuery(device, iasClass, TINYTP_LSAPSEL))
    const v = r.entries[0]?.value
    if (r.returnCode === 0 && v?.type === 'integer') return { iasClass, lsap: v.value }
  }
  return undefined
}

export class ObexClient {
  private readonly queue: ClientEvent[] = []
  private waiter: ((e: ClientEvent) => void) | undefined
  private running = false
  private aborting = false
  /** The Who header of the server's Connect response (the Target it serves), if any. */
  who: Uint8Array | undefined
  private constructor (
    readonly session: ObexClientSession,
    private readonly link: SessionLink<ClientEvent>,
    readonly peer: { deviceAddress: number, lsap: number, iasClass: string },
    private readonly stack: IrdaStack,
  ) {}

  /** Finds the OBEX server, connects TinyTP and sends the OBEX Connect. */
  static async connect (stack: IrdaStack, opts: ObexConnectOptions = {}): Promise<ObexClient> {
    const classes = opts.iasClasses ?? [OBEX_IAS_CLASS, OBEX_IRXFER_IAS_CLASS]
    const found = await locate(stack, opts, classes)
    let ttp: TtpSocket
    try {
      ttp = await onFreeLink(stack, async () => await stack.ttpConnect({ deviceAddress: found.deviceAddress, remoteLsap: found.lsap, maxSduSize: 0 }))
    } catch (e) {
      throw new ObexConnectionError(`TinyTP connect to ${found.iasClass} on ${hex(found.deviceAddress)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
    }
    const session = new ObexClientSession(opts)
    let client: ObexClient | undefined
    const early: ClientEvent[] = []
    const link = new SessionLink<ClientEvent>(session, ttp, stack.clock, e => { if (client !== undefined) client.deliver(e); else early.push(e) }, err => {
      const ev: ClientEvent = { type: 'error', op: undefined, error: new ObexConnectionError(`the TinyTP connection ended${err !== undefined ? `: ${err.message}` : ''}`), fatal: true }
      if (client !== undefined) client.deliver(ev); else early.push(ev)
    })
    client = new ObexClient(session, link, found, stack)
    for (const e of early) client.deliver(e)
    try {
      await client.run(async () => {
        session.connect(stack.clock.now(), opts.target !== undefined ? { target: opts.target } : {})
        link.pump()
        client!.who = (await client!.until('connected')).who
      })
    } catch (e) {
      link.close()
      throw e
    }
    return client
  }

  /** The negotiated most bytes per packet we send. */
  get maxPacket (): number { return this.session.sendMax }
  get connectionId (): number | undefined { return this.session.connectionId }

  /** Pushes an object. `source` is the bytes, or chunks from a stream (`fs.createReadStream(path)`). */
  async put (name: string, source: Uint8Array | AsyncIterable<Uint8Array>, opts: PutOptions = {}): Promise<{ bytes: number, code: number }> {
    const length = opts.length ?? (source instanceof Uint8Array ? source.length : undefined)
    const headers: ObexHeader[] = [
      header(HeaderId.name, name),
      ...(opts.type !== undefined ? [typeHeader(opts.type)] : []),
      ...(length !== undefined ? [header(HeaderId.length, length)] : []),
      ...(opts.headers ?? []),
    ]
    return await this.run(async () => {
      const it: AsyncIterator<Uint8Array> | Iterator<Uint8Array> = source instanceof Uint8Array ? [source][Symbol.iterator]() : source[Symbol.asyncIterator]()
      let pending: Uint8Array = new Uint8Array(0)
      let ended = false
      let sent = 0
      this.session.put(this.now(), { headers })
      this.link.pump()
      for (;;) {
        const e = await this.next()
        if (e.type === 'done') return { bytes: sent, code: e.code }
        if (e.type !== 'continue') throw this.unexpected(e)
        // Fill one packet's room from the source, holding at most one chunk beyond it.
        while (pending.length < e.room && !ended) {
          const r = await it.next()
          if (r.done === true) { ended = true; break }
          const chunk = r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value as ArrayBuffer)
          pending = pending.length === 0 ? chunk : concat(pending, chunk)
        }
        if (this.aborting) { await this.abortResult(); continue }
        const n = Math.min(e.room, pending.length)
        const body = pending.subarray(0, n)
        pending = pending.subarray(n)
        sent += n
        this.session.putBody(this.now(), body, ended && pending.length === 0)
        this.link.pump()
        opts.onProgress?.(sent, length)
      }
    })
  }

  /** Deletes an object: a Put with a Name and no body. */
  async delete (name: string): Promise<number> {
    return await this.run(async () => {
      this.session.put(this.now(), { headers: [header(HeaderId.name, name)], delete: true })
      this.link.pump()
      return (await this.until('done')).code
    })
  }

  /**
   * Pulls an object by name (or by type alone, e.g. a vCard "text/x-vcard"), chunk by chunk into
   * `sink`. A server that sends more than its Length header announced, or more than `opts.limit`,
   * is stopped with an OBEX Abort (ObexProtocolError, ObexLimitError): what it sends is never
   * taken without end.
   */
  async get (name: string | undefined, sink: (chunk: Uint8Array) => void | Promise<void>, opts: GetOptions = {}): Promise<{ bytes: number, length: number | undefined, headers: ObexHeader[] }> {
    const headers: ObexHeader[] = [
      ...(name !== undefined ? [header(HeaderId.name, name)] : []),
      ...(opts.type !== undefined ? [typeHeader(opts.type)] : []),
      ...(opts.headers ?? []),
    ]
    return await this.run(async () => {
      let bytes = 0
      let length: number | undefined
      let first: ObexHeader[] | undefined
      this.session.get(this.now(), { headers })
      this.link.pump()
      for (;;) {
        const e = await this.next()
        if (e.type === 'done') return { bytes, length, headers: first ?? e.headers }
        if (e.type !== 'body') throw this.unexpected(e)
        if (first === undefined) { first = e.headers; length = numberHeader(e.headers, HeaderId.length) }
        const total = bytes + e.data.length
        if (length !== undefined && total > length) await this.stopGet(e.last, new ObexProtocolError(`the server sent more than the ${length} bytes its Length header announced`))
        if (opts.limit !== undefined && total > opts.limit) await this.stopGet(e.last, new ObexLimitError(`the object is larger than the limit of ${opts.limit} bytes`))
        if (e.data.length > 0) await sink(e.data)
        bytes += e.data.length
        opts.onProgress?.(bytes, length)
        if (e.last) continue
        if (this.aborting) { await this.abortResult(); continue }
        this.session.getNext(this.now())
        this.link.pump()
      }
    })
  }

  /** Pulls a small object whole, refusing (ObexLimitError) more than `limit` bytes (default 1 MiB). */
  async getBytes (name: string | undefined, opts: GetOptions = {}): Promise<Uint8Array> {
    const parts: Uint8Array[] = []
    await this.get(name, chunk => { parts.push(chunk) }, { ...opts, limit: opts.limit ?? 1 << 20 })
    return concat(...parts)
  }

  /** Changes folder: into `name` (created when `create`), up one level with `parent`, to the root with neither. */
  async setPath (opts: { name?: string, parent?: boolean, create?: boolean } = {}): Promise<void> {
    const name = opts.name ?? (opts.parent === true ? undefined : '')
    await this.run(async () => {
      this.session.setPath(this.now(), { ...opts, ...(name !== undefined ? { name } : {}) })
      this.link.pump()
      await this.until('done')
    })
  }

  /** The folder listing of the current folder (or its subfolder `name`): entries, and the XML as sent. */
  async list (name?: string): Promise<{ entries: FolderEntry[], parent: boolean, xml: string }> {
    const xml = new TextDecoder().decode(await this.getBytes(name, { type: FOLDER_LISTING_TYPE, limit: 4 << 20 }))
    const l = parseFolderListing(xml)
    return { entries: l.entries, parent: l.parent, xml }
  }

  /** Aborts the running put or get; it then rejects with ObexAbortedError. */
  abort (): void {
    if (!this.running || !this.session.busy || this.aborting) return
    this.aborting = true
    try { this.session.abort(this.now()) } catch { this.aborting = false; return }
    this.link.pump()
  }

  /** OBEX Disconnect, then the TinyTP connection ends. A failing Disconnect still closes. */
  async close (): Promise<void> {
    if (!this.link.closed && !this.session.isBroken && !this.running) {
      try {
        await this.run(async () => {
          this.session.disconnect(this.now())
          this.link.pump()
          await this.until('done')
        })
      } catch { /* closing anyway */ }
    }
    this.link.close()
    if (!this.link.ttp.closed) await new Promise<void>(resolve => this.link.ttp.once('close', () => { resolve() }))
  }

  private now (): number { return this.stack.clock.now() }

  private deliver (e: ClientEvent): void {
    const w = this.waiter
    if (w !== undefined) { this.waiter = undefined; w(e) } else this.queue.push(e)
  }

  private async next (): Promise<ClientEvent> {
    const e = this.queue.shift() ?? await new Promise<ClientEvent>(resolve => { this.waiter = resolve })
    if (e.type === 'error') {
      if (e.fatal) this.link.close()
      throw e.error
    }
    return e
  }

  private async until<T extends ClientEvent['type']> (type: T): Promise<Extract<ClientEvent, { type: T }>> {
    const e = await this.next()
    if (e.type !== type) throw this.unexpected(e)
    return e as Extract<ClientEvent, { type: T }>
  }

  /** Ends a Get we refuse to take further: an Abort unless it was the last packet, then `why`. */
  private async stopGet (last: boolean, why: Error): Promise<never> {
    if (!last && !this.aborting) {
      this.aborting = true
      try { this.session.abort(this.now()) } catch { throw why }
      this.link.pump()
      try { await this.abortResult() } catch (e) { if (!(e instanceof ObexAbortedError)) throw e }
    }
    throw why
  }

  /** Waits for the abort's answer: the put or get then ends with ObexAbortedError (thrown by next()). */
  private async abortResult (): Promise<never> {
    for (;;) await this.next()
  }

  private unexpected (e: ClientEvent): Error { return new ObexStateError(`unexpected ${e.type} event`) }

  private async run<T> (work: () => Promise<T>): Promise<T> {
    if (this.running) throw new ObexStateError('another OBEX operation is running')
    this.running = true
    try {
      return await work()
    } catch (e) {
      if (e instanceof ObexAbortedError) this.aborting = false
      throw e
    } finally {
      this.running = false
      this.aborting = false
    }
  }
}

async function locate (stack: IrdaStack, opts: ObexConnectOptions, classes: string[]): Promise<{ deviceAddress: number, lsap: number, iasClass: string }> {
  const ask = async (device: number): Promise<{ iasClass: string, lsap: number } | undefined> => {
    try {
      return await findObexService(stack, device, classes)
    } catch (e) {
      const why = e instanceof IasQueryError || e instanceof ConnectionError ? e.message : e instanceof Error ? e.message : String(e)
      throw new ObexConnectionError(`IAS query on ${hex(device)}: ${why}`, { cause: e })
    }
  }
  if (opts.deviceAddress !== undefined) {
    const s = await ask(opts.deviceAddress)
    if (s === undefined) throw new ObexConnectionError(`${hex(opts.deviceAddress)} offers no OBEX service (IAS ${classes.join(', ')})`)
    return { deviceAddress: opts.deviceAddress, ...s }
  }
  const rounds = Math.max(1, opts.discoveryRounds ?? 3)
  for (let i = 0; i < rounds; i++) {
    const devices = [...new Map((await stack.discover()).map(d => [d.deviceAddress, d])).values()]
    if (devices.length === 0) continue
    const offers: Array<{ deviceAddress: number, lsap: number, iasClass: string }> = []
    let failure: unknown
    for (const d of devices) {
      try {
        const s = await ask(d.deviceAddress)
        if (s !== undefined) offers.push({ deviceAddress: d.deviceAddress, ...s })
      } catch (e) { failure = e }
    }
    if (offers.length > 1) throw new ObexConnectionError(`${offers.length} devices offer OBEX (${offers.map(o => hex(o.deviceAddress)).join(', ')}); name one`)
    if (offers.length === 1) return offers[0]
    if (failure !== undefined && devices.length === 1) throw failure
    throw new ObexConnectionError(`no device offers OBEX (IAS ${classes.join(', ')}); found ${devices.map(d => `${d.nickname} ${hex(d.deviceAddress)}`).join(', ')}`)
  }
  throw new ObexConnectionError('no device answered discovery')
}

function concat (...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) { out.set(p, off); off += p.length }
  return out
}
