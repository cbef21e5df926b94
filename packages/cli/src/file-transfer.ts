/*!
 * The tiny file protocol of `irda serve` / `send` / `recv`, over one IrSock (TinyTP) stream.
 * TinyTP has no half close, so every message says how long it is, and the side that received
 * the bytes answers with how many it got and their CRC-32: a sender only reports success when
 * the receiver holds the whole file. All integers are big-endian.
 *
 *   request  'IRF1' | op u8 (1 put, 2 get) | name length u16 | name (UTF-8) | size u32
 *   put:     request (size = file size), the file's bytes  ->  result
 *   get:     request (size 0, name '' = whatever is offered) ->  request with op 3 (file) and
 *            its bytes, answered by the getter's result; or a result with status 1 (refused)
 *   result   'IRA1' | status u8 (0 ok, 1 refused) | bytes u32 | crc32 u32 | text length u16 | text
 *
 * The result's text is where the receiver stored the file, or why it refused.
 */
import { crc32 } from 'node:zlib'
import type { Duplex } from 'node:stream'

export const OP_PUT = 1
export const OP_GET = 2
export const OP_FILE = 3
const REQUEST_MAGIC = Buffer.from('IRF1')
const RESULT_MAGIC = Buffer.from('IRA1')
/** Files are held in memory on both sides; at IrDA's 4 Mb/s this much takes about 2.5 minutes. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024
const MAX_NAME_BYTES = 255

export interface FileRequest { op: number, name: string, size: number }
export interface FileResult { ok: boolean, bytes: number, crc32: number, text: string }

/** Something the peer sent that is not this protocol, or an answer that does not add up. */
export class FileProtocolError extends Error {
  constructor (message: string) { super(message); this.name = 'FileProtocolError' }
}

export const fileCrc = (data: Uint8Array): number => crc32(data) >>> 0

export function encodeRequest (r: FileRequest): Buffer {
  const name = Buffer.from(r.name, 'utf8')
  const b = Buffer.alloc(4 + 1 + 2 + name.length + 4)
  REQUEST_MAGIC.copy(b, 0)
  b.writeUInt8(r.op, 4)
  b.writeUInt16BE(name.length, 5)
  name.copy(b, 7)
  b.writeUInt32BE(r.size, 7 + name.length)
  return b
}

export function encodeResult (r: FileResult): Buffer {
  const text = Buffer.from(r.text, 'utf8').subarray(0, 0xFFFF)
  const b = Buffer.alloc(4 + 1 + 4 + 4 + 2 + text.length)
  RESULT_MAGIC.copy(b, 0)
  b.writeUInt8(r.ok ? 0 : 1, 4)
  b.writeUInt32BE(r.bytes, 5)
  b.writeUInt32BE(r.crc32 >>> 0, 9)
  b.writeUInt16BE(text.length, 13)
  text.copy(b, 15)
  return b
}

/** A name a receiver may store: one path component, printable, not `.` or `..`. */
export function safeFileName (name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\u0000-\u001f]/.test(name) && Buffer.byteLength(name) <= MAX_NAME_BYTES
}

/** Reads exact byte counts from a stream; a stream that ends or fails first rejects the read. */
export class ByteReader {
  private readonly chunks: Buffer[] = []
  private buffered = 0
  private done: Error | undefined
  private wake: (() => void) | undefined

  constructor (private readonly stream: Duplex) {
    stream.on('data', (c: Buffer) => {
      this.chunks.push(c)
      this.buffered += c.length
      this.wake?.()
    })
    const finish = (e: Error): void => { this.done ??= e; this.wake?.() }
    stream.on('end', () => { finish(new FileProtocolError('the peer closed the connection early')) })
    stream.on('error', (e: Error) => { finish(e) })
    stream.on('close', () => { finish(new FileProtocolError('the connection closed early')) })
  }

  /** Exactly `n` bytes; `onProgress` hears the running count while a long read fills. */
  async take (n: number, onProgress?: (got: number) => void): Promise<Buffer> {
    while (this.buffered < n) {
      if (this.done !== undefined) throw this.done
      onProgress?.(this.buffered)
      await new Promise<void>(resolve => { this.wake = resolve })
      this.wake = undefined
    }
    const all = Buffer.concat(this.chunks)
    this.chunks.length = 0
    if (all.length > n) this.chunks.push(all.subarray(n))
    this.buffered = all.length - n
    onProgress?.(n)
    return all.subarray(0, n)
  }

  /** The next message, whichever kind it is. */
  async message (): Promise<{ kind: 'request', request: FileRequest } | { kind: 'result', result: FileResult }> {
    const magic = await this.take(4)
    if (magic.equals(REQUEST_MAGIC)) {
      const head = await this.take(3)
      const op = head.readUInt8(0)
      const nameLen = head.readUInt16BE(1)
      if (op < OP_PUT || op > OP_FILE || nameLen > MAX_NAME_BYTES) throw new FileProtocolError(`a malformed request (op ${op}, name length ${nameLen})`)
      const rest = await this.take(nameLen + 4)
      return { kind: 'request', request: { op, name: rest.subarray(0, nameLen).toString('utf8'), size: rest.readUInt32BE(nameLen) } }
    }
    if (magic.equals(RESULT_MAGIC)) {
      const head = await this.take(11)
      const text = await this.take(head.readUInt16BE(9))
      return { kind: 'result', result: { ok: head.readUInt8(0) === 0, bytes: head.readUInt32BE(1), crc32: head.readUInt32BE(5), text: text.toString('utf8') } }
    }
    throw new FileProtocolError('the peer does not speak the irda file protocol')
  }

  async result (): Promise<FileResult> {
    const m = await this.message()
    if (m.kind !== 'result') throw new FileProtocolError('the peer sent a request where a result was due')
    return m.result
  }
}

/** Writes and resolves once the stream took the bytes (TinyTP credit permitting). */
export async function writeAll (stream: Duplex, data: Uint8Array): Promise<void> {
  await new Promise<void>((resolve, reject) => { stream.write(data, e => { if (e != null) reject(e); else resolve() }) })
}

/** Sends a file's bytes after its header in pieces, so progress can be shown as credit allows. */
export async function writeFile (stream: Duplex, data: Uint8Array, onProgress?: (sent: number) => void, piece = 4096): Promise<void> {
  for (let i = 0; i < data.length; i += piece) {
    await writeAll(stream, data.subarray(i, i + piece))
    onProgress?.(Math.min(data.length, i + piece))
  }
}

/** What one side of a transfer learned. */
export interface TransferOutcome {
  /** True when both sides agree on the byte count and CRC-32 of the whole file. */
  ok: boolean
  name: string
  bytes: number
  crc32: number
  /** The receiver's text: where it stored the file, or why it refused. */
  text: string
}

/**
 * Checks a receiver's result against what was sent: success only when it has every byte with
 * the same CRC-32.
 */
export function judge (sent: Uint8Array, name: string, result: FileResult): TransferOutcome {
  const crc = fileCrc(sent)
  const ok = result.ok && result.bytes === sent.length && result.crc32 === crc
  const text = result.ok && !ok ? `the receiver got ${result.bytes} bytes (crc32 ${result.crc32.toString(16)}), not ${sent.length} (crc32 ${crc.toString(16)})` : result.text
  return { ok, name, bytes: sent.length, crc32: crc, text }
}

export const refusal = (text: string): FileResult => ({ ok: false, bytes: 0, crc32: 0, text })

/** Pushes `data` as `name` and waits for the receiver's result. */
export async function pushFile (stream: Duplex, name: string, data: Uint8Array, onProgress?: (sent: number) => void): Promise<TransferOutcome> {
  const reader = new ByteReader(stream)
  // Read while writing: a receiver that refuses says so before taking the bytes, then hangs up.
  const answer = reader.result()
  answer.catch(() => {})
  try {
    await writeAll(stream, encodeRequest({ op: OP_PUT, name, size: data.length }))
    await writeFile(stream, data, onProgress)
  } catch (e) {
    const early = await Promise.race([answer, new Promise<undefined>(resolve => { setImmediate(() => { resolve(undefined) }) })]).catch(() => undefined)
    if (early === undefined) throw e
  }
  return judge(data, name, await answer)
}

/**
 * Pulls the file the peer offers. `accept(name, size)` returns where it will go, or throws an
 * Error whose message becomes the refusal; `store` keeps the bytes and returns where they went.
 */
export async function pullFile (
  stream: Duplex,
  handlers: { accept: (name: string, size: number) => void, store: (name: string, data: Uint8Array) => string, onProgress?: (got: number, size: number) => void },
): Promise<TransferOutcome> {
  const reader = new ByteReader(stream)
  await writeAll(stream, encodeRequest({ op: OP_GET, name: '', size: 0 }))
  const m = await reader.message()
  if (m.kind === 'result') return { ok: false, name: '', bytes: 0, crc32: 0, text: m.result.text }
  const { name, size, op } = m.request
  if (op !== OP_FILE) throw new FileProtocolError(`the peer answered a get with op ${op}`)
  return await receiveBody(stream, reader, name, size, handlers)
}

/** Takes `size` bytes after their header, stores them, answers with count and CRC. */
async function receiveBody (
  stream: Duplex, reader: ByteReader, name: string, size: number,
  handlers: { accept: (name: string, size: number) => void, store: (name: string, data: Uint8Array) => string, onProgress?: (got: number, size: number) => void },
): Promise<TransferOutcome> {
  const refuse = async (text: string): Promise<TransferOutcome> => {
    await writeAll(stream, encodeResult(refusal(text)))
    return { ok: false, name, bytes: 0, crc32: 0, text }
  }
  if (!safeFileName(name)) return await refuse(`${JSON.stringify(name)} is not a plain file name`)
  if (size > MAX_FILE_BYTES) return await refuse(`${size} bytes is more than the ${MAX_FILE_BYTES} this receiver takes`)
  try { handlers.accept(name, size) } catch (e) { return await refuse((e as Error).message) }
  const data = await reader.take(size, got => handlers.onProgress?.(got, size))
  let where: string
  try { where = handlers.store(name, data) } catch (e) { return await refuse((e as Error).message) }
  const crc = fileCrc(data)
  await writeAll(stream, encodeResult({ ok: true, bytes: data.length, crc32: crc, text: where }))
  return { ok: true, name, bytes: data.length, crc32: crc, text: where }
}

/** What a server did with one connection. */
export type ServedTransfer = TransferOutcome & { direction: 'in' | 'out' }

/**
 * Serves one connection: a put is stored with `handlers`, a get answered with `offer` (or
 * refused when there is none, or it has another name).
 */
export async function answerConnection (
  stream: Duplex,
  handlers: { accept: (name: string, size: number) => void, store: (name: string, data: Uint8Array) => string, offer?: { name: string, data: Uint8Array }, onProgress?: (done: number, size: number) => void },
): Promise<ServedTransfer> {
  const reader = new ByteReader(stream)
  const m = await reader.message()
  if (m.kind !== 'request') throw new FileProtocolError('the peer began with a result')
  const { op, name, size } = m.request
  if (op === OP_PUT) return { direction: 'in', ...await receiveBody(stream, reader, name, size, handlers) }
  const offer = handlers.offer
  const refuse = async (text: string): Promise<ServedTransfer> => {
    await writeAll(stream, encodeResult(refusal(text)))
    return { direction: 'out', ok: false, name, bytes: 0, crc32: 0, text }
  }
  if (op !== OP_GET) return await refuse(`op ${op} is not a request`)
  if (offer === undefined) return await refuse('nothing is offered here (irda serve --file)')
  if (name !== '' && name !== offer.name) return await refuse(`no file named ${JSON.stringify(name)} is offered here`)
  await writeAll(stream, encodeRequest({ op: OP_FILE, name: offer.name, size: offer.data.length }))
  await writeFile(stream, offer.data, sent => handlers.onProgress?.(sent, offer.data.length))
  return { direction: 'out', ...judge(offer.data, offer.name, await reader.result()) }
}
