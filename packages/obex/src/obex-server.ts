/*!
 * `listenObex(stack, { store })`: an OBEX server on a TinyTP selector, registered in IAS as
 * `OBEX` and `OBEX:IrXfer` (attribute `IrDA:TinyTP:LsapSel`). Each connection runs an
 * {@link ObexServerSession} against the store: pushes go to `store.put` chunk by chunk (the next
 * Continue leaves only once the chunk is written), gets and folder listings are read a packet
 * at a time, SetPath moves through folders. Names from the wire are checked first (names.ts):
 * path tricks are answered Forbidden, huge names Request URL Too Large, and the store is never
 * asked about them. On an IrMC connection (Target `IRMC-SYNC`) an object's name is a relative
 * path, as IrMC sync clients send it ("telecom/pb.vcf", "telecom/pb/luid/cc.log"), each part
 * checked the same way; everywhere else a name is one plain component.
 */
import type { IrdaStack, TtpServer, TtpSocket } from '@irdakit/stack'
import { FOLDER_LISTING_TYPE, HeaderId, IRMC_SYNC_TARGET, OBEX_IAS_CLASS, OBEX_IRXFER_IAS_CLASS, ResponseCode, TINYTP_LSAPSEL } from './constants.js'
import { ObexResponseError } from './errors.js'
import { buildFolderListing } from './folder-listing.js'
import { header, numberHeader, textHeader, typeOf, type ObexHeader } from './headers.js'
import { SessionLink } from './link.js'
import { MAX_NAME_LENGTH, unsafeName } from './names.js'
import { ObexServerSession, type ServerEvent, type ServerSessionOptions } from './server.js'
import { bytesSource, type GetSource, type ObexStore, type PutSink } from './store.js'

/** What happened on a server, for logs and progress. */
export type ObexActivity =
  | { type: 'connect', deviceAddress: number, target: Uint8Array | undefined }
  | { type: 'put-progress', deviceAddress: number, name: string, bytes: number, length: number | undefined }
  | { type: 'put', deviceAddress: number, name: string, folder: string, bytes: number, ok: boolean, code: number, error?: string }
  | { type: 'delete', deviceAddress: number, name: string, folder: string, ok: boolean, code: number, error?: string }
  | { type: 'get', deviceAddress: number, name: string, folder: string, bytes: number, ok: boolean, code: number, error?: string }
  | { type: 'setpath', deviceAddress: number, folder: string, ok: boolean, code: number }
  | { type: 'abort' | 'timeout', deviceAddress: number, op: 'put' | 'get' | undefined }
  | { type: 'malformed', deviceAddress: number, error: string }
  | { type: 'close', deviceAddress: number, malformed: number }

export interface ObexServerOptions extends ServerSessionOptions {
  store: ObexStore
  /** IAS classes to register the selector under. Default `OBEX` and `OBEX:IrXfer`. */
  iasClasses?: string[]
  /** A fixed selector (default: allocated). */
  lsap?: number
  onActivity?: (a: ObexActivity) => void
}

export interface ObexServer {
  readonly lsap: number
  /** Connections served so far. */
  readonly connections: number
  close (): void
}

export function listenObex (stack: IrdaStack, opts: ObexServerOptions): ObexServer {
  const ttp: TtpServer = stack.ttpListen({ ...(opts.lsap !== undefined ? { lsap: opts.lsap } : {}), maxSduSize: 0 })
  const ias = (opts.iasClasses ?? [OBEX_IAS_CLASS, OBEX_IRXFER_IAS_CLASS]).map(c => stack.ias.set(c, TINYTP_LSAPSEL, { type: 'integer', value: ttp.lsap }))
  const live = new Set<ObexConnection>()
  let count = 0
  ttp.on('connection', socket => {
    count++
    const c = new ObexConnection(stack, socket, opts, () => { live.delete(c) })
    live.add(c)
  })
  return {
    lsap: ttp.lsap,
    get connections () { return count },
    close: () => {
      for (const o of ias) stack.ias.removeObject(o)
      ttp.close()
      for (const c of live) c.link.close()
    },
  }
}

/** A put or get in progress on one connection. */
type Running =
  | { kind: 'put', name: string, sink: PutSink | undefined, bytes: number, length: number | undefined }
  | { kind: 'get', name: string, source: GetSource, next: Uint8Array | null, bytes: number }

class ObexConnection {
  readonly session: ObexServerSession
  readonly link: SessionLink<ServerEvent>
  private readonly events: ServerEvent[] = []
  private working = false
  private folder: string[] = []
  private running: Running | undefined
  private readonly device: number

  constructor (private readonly stack: IrdaStack, socket: TtpSocket, private readonly opts: ObexServerOptions, private readonly gone: () => void) {
    this.device = socket.deviceAddress
    this.session = new ObexServerSession(opts)
    this.link = new SessionLink<ServerEvent>(this.session, socket, stack.clock, e => { this.events.push(e); this.work() }, () => {
      void this.drop().finally(() => {
        this.report({ type: 'close', deviceAddress: this.device, malformed: this.session.malformed })
        this.gone()
      })
    })
  }

  private report (a: ObexActivity): void { this.opts.onActivity?.(a) }
  private now (): number { return this.stack.clock.now() }
  private get where (): string { return '/' + this.folder.join('/') }

  /** Handles events one at a time, in order, each to its reply. */
  private work (): void {
    if (this.working) return
    this.working = true
    void (async () => {
      for (let e; (e = this.events.shift()) !== undefined;) {
        try {
          await this.onEvent(e)
        } catch { /* onEvent answers its own failures; nothing may escape the loop */ }
        this.link.pump()
      }
      this.working = false
    })()
  }

  /** True when the request this reply is for was dropped meanwhile (abort, timeout, bad packet). */
  private stale (): boolean {
    return !this.session.owes || this.events.some(e => e.type === 'abort' || e.type === 'timeout' || e.type === 'malformed' || e.type === 'fatal')
  }

  private reply (code?: number, headers: ObexHeader[] = []): void {
    if (this.stale()) return
    this.session.reply(this.now(), code, headers)
    this.link.pump()
  }

  private async onEvent (e: ServerEvent): Promise<void> {
    switch (e.type) {
      case 'connect': this.folder = []; this.report({ type: 'connect', deviceAddress: this.device, target: e.target }); return
      case 'disconnect': await this.drop(); return
      case 'put': await this.onPut(e); return
      case 'body': await this.onBody(e.data, e.last); return
      case 'get': await this.onGet(e.headers, e.target); return
      case 'get-next': await this.sendNext(); return
      case 'setpath': await this.onSetPath(e); return
      case 'abort': case 'timeout': await this.drop(); this.report({ type: e.type, deviceAddress: this.device, op: e.op }); return
      case 'malformed': await this.drop(); this.report({ type: 'malformed', deviceAddress: this.device, error: e.error.message }); return
      case 'fatal': await this.drop(); this.report({ type: 'malformed', deviceAddress: this.device, error: e.error.message }); this.link.close()
    }
  }

  /** Answers the name check: undefined when fine, else the refusal code. */
  private refuseName (name: string | undefined): { code: number, why: string } | undefined {
    if (name === undefined) return { code: ResponseCode.badRequest, why: 'no Name header' }
    if (name.length > MAX_NAME_LENGTH) return { code: ResponseCode.urlTooLarge, why: `a name of ${name.length} characters` }
    const why = unsafeName(name)
    return why !== undefined ? { code: ResponseCode.forbidden, why: `refused ${why}` } : undefined
  }

  /** The folder and object a put or get names: a relative path on an IrMC connection, else one component of the current folder. */
  private locate (name: string | undefined, target: Uint8Array | undefined): { folder: string[], name: string } | { code: number, why: string } {
    if (name === undefined || name.length > MAX_NAME_LENGTH || target === undefined || !equal(target, IRMC_SYNC_TARGET)) {
      return this.refuseName(name) ?? { folder: this.folder, name: name ?? '' }
    }
    const parts = name.split('/')
    for (const p of parts) {
      const refused = this.refuseName(p)
      if (refused !== undefined) return { code: refused.code, why: `${refused.why} in ${JSON.stringify(name)}` }
    }
    return { folder: [...this.folder, ...parts.slice(0, -1)], name: parts[parts.length - 1] }
  }

  private async onPut (e: Extract<ServerEvent, { type: 'put' }>): Promise<void> {
    const wire = textHeader(e.headers, HeaderId.name)
    const at = this.locate(wire, e.target)
    if ('code' in at) {
      this.reply(at.code)
      this.report({ type: e.delete ? 'delete' : 'put', deviceAddress: this.device, name: wire?.slice(0, 80) ?? '', folder: this.where, bytes: 0, ok: false, code: at.code, error: at.why })
      return
    }
    const { folder, name } = at
    if (e.delete) {
      const code = await this.store(async () => { await this.opts.store.delete(folder, name) })
      this.reply(code)
      this.report({ type: 'delete', deviceAddress: this.device, name: wire ?? name, folder: this.where, ok: code === ResponseCode.success, code })
      return
    }
    const length = numberHeader(e.headers, HeaderId.length)
    const type = typeOf(e.headers)
    const run: Running = { kind: 'put', name: wire ?? name, sink: undefined, bytes: 0, length }
    this.running = run
    const code = await this.store(async () => { run.sink = await this.opts.store.put(folder, { name, ...(type !== undefined ? { type } : {}), ...(length !== undefined ? { length } : {}) }) })
    if (code !== ResponseCode.success) { this.failPut(run, code); return }
    await this.onBody(e.data, e.last)
  }

  private async onBody (data: Uint8Array, last: boolean): Promise<void> {
    const run = this.running
    if (run?.kind !== 'put' || run.sink === undefined) { this.reply(ResponseCode.badRequest); return }
    const sink = run.sink
    let code = await this.store(async () => { if (data.length > 0) await sink.write(data) })
    run.bytes += data.length
    if (code === ResponseCode.success && last) code = await this.store(async () => { await sink.finish() })
    if (code !== ResponseCode.success) { await sink.discard().catch(() => {}); this.failPut(run, code); return }
    if (!last) {
      this.report({ type: 'put-progress', deviceAddress: this.device, name: run.name, bytes: run.bytes, length: run.length })
      this.reply()
      return
    }
    this.running = undefined
    this.reply(ResponseCode.success)
    this.report({ type: 'put', deviceAddress: this.device, name: run.name, folder: this.where, bytes: run.bytes, ok: true, code: ResponseCode.success })
  }

  private failPut (run: Extract<Running, { kind: 'put' }>, code: number): void {
    this.running = undefined
    this.reply(code)
    this.report({ type: 'put', deviceAddress: this.device, name: run.name, folder: this.where, bytes: run.bytes, ok: false, code, ...(this.lastError !== undefined ? { error: this.lastError } : {}) })
  }

  private async onGet (headers: ObexHeader[], target: Uint8Array | undefined): Promise<void> {
    const name = textHeader(headers, HeaderId.name)
    const type = typeOf(headers)
    let source: GetSource | undefined
    let label = name ?? type ?? ''
    let code: number = ResponseCode.success
    if (type === FOLDER_LISTING_TYPE) {
      const refused = name !== undefined && name !== '' ? this.refuseName(name) : undefined
      const folder = name !== undefined && name !== '' ? [...this.folder, name] : this.folder
      label = `folder listing of /${folder.join('/')}`
      if (refused !== undefined) code = refused.code
      else {
        code = await this.store(async () => {
          const entries = await this.opts.store.list(folder)
          source = bytesSource(new TextEncoder().encode(buildFolderListing({ parent: folder.length > 0, entries })))
        })
      }
    } else {
      const at = this.locate(name, target)
      if ('code' in at) code = at.code
      else code = await this.store(async () => { source = await this.opts.store.get(at.folder, at.name) })
    }
    if (code !== ResponseCode.success || source === undefined) {
      if (!this.stale()) { this.session.getReply(this.now(), { code }); this.link.pump() }
      this.report({ type: 'get', deviceAddress: this.device, name: label, folder: this.where, bytes: 0, ok: false, code, ...(this.lastError !== undefined ? { error: this.lastError } : {}) })
      return
    }
    const first = await source.read(this.session.getRoom(source.size !== undefined ? [header(HeaderId.length, source.size)] : []))
    this.running = { kind: 'get', name: label, source, next: first, bytes: 0 }
    await this.sendNext(source.size !== undefined ? [header(HeaderId.length, source.size)] : [])
  }

  /** Sends the chunk read ahead, reading one more to know whether it is the last. */
  private async sendNext (headers: ObexHeader[] = []): Promise<void> {
    const run = this.running
    if (run?.kind !== 'get') { if (!this.stale()) { this.session.getReply(this.now(), { code: ResponseCode.badRequest }); this.link.pump() } return }
    const body = run.next ?? new Uint8Array(0)
    let after: Uint8Array | null = null
    try {
      after = run.next === null ? null : await run.source.read(this.session.getRoom([]))
    } catch {
      await this.drop()
      if (!this.stale()) { this.session.getReply(this.now(), { code: ResponseCode.internalError }); this.link.pump() }
      return
    }
    run.next = after
    run.bytes += body.length
    if (this.stale()) return
    const last = after === null
    this.session.getReply(this.now(), { headers, body, last })
    this.link.pump()
    if (last) {
      this.running = undefined
      await run.source.close().catch(() => {})
      this.report({ type: 'get', deviceAddress: this.device, name: run.name, folder: this.where, bytes: run.bytes, ok: true, code: ResponseCode.success })
    }
  }

  private async onSetPath (e: Extract<ServerEvent, { type: 'setpath' }>): Promise<void> {
    // The folder changes only when the whole SetPath succeeds: a refused "up, then into name" leaves the client where it was.
    const name = e.name ?? ''
    const named = name !== ''
    const base = e.parent ? this.folder.slice(0, -1) : named ? this.folder : []
    let code: number = ResponseCode.success
    if (e.parent && this.folder.length === 0) code = ResponseCode.notFound
    else if (named) code = await this.enter(base, name, e.create)
    if (code === ResponseCode.success) this.folder = named ? [...base, name] : base
    this.reply(code)
    this.report({ type: 'setpath', deviceAddress: this.device, folder: this.where, ok: code === ResponseCode.success, code })
  }

  private async enter (folder: string[], name: string, create: boolean): Promise<number> {
    const refused = this.refuseName(name)
    if (refused !== undefined) return refused.code
    return await this.store(async () => { await this.opts.store.enter(folder, name, create) })
  }

  private lastError: string | undefined

  /** Runs a store call; its refusal becomes the response code (anything else: Internal Server Error). */
  private async store (work: () => Promise<void>): Promise<number> {
    this.lastError = undefined
    try {
      await work()
      return ResponseCode.success
    } catch (e) {
      this.lastError = e instanceof ObexResponseError ? e.detail : e instanceof Error ? e.message : String(e)
      return e instanceof ObexResponseError ? e.code | 0x80 : ResponseCode.internalError
    }
  }

  /** Drops what is running: a partial push is discarded, a source closed. */
  private async drop (): Promise<void> {
    const run = this.running
    this.running = undefined
    if (run?.kind === 'put') await run.sink?.discard().catch(() => {})
    if (run?.kind === 'get') await run.source.close().catch(() => {})
  }
}

function equal (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}
