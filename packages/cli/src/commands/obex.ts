/*!
 * `irda obex push <file...>`, `get <name>`, `ls [path]`, `serve <dir>`: IrOBEX with phones,
 * PDAs and cameras. Without a medium the other side is an emulated phone in a room in this
 * process (push and pull from its folders; `serve` gets an emulated phone pushing a vCard).
 * Names with slashes walk folders with SetPath ("telecom/pb.vcf"); failures are one line with
 * the OBEX response ("Not Found (0xC4)"), exit 1.
 */
import { closeSync, existsSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { basename, join } from 'node:path'
import type { Command } from 'commander'
import {
  emulatedPhone, FOLDER_BROWSING_UUID, OBEX_HINTS, ObexClient, readFileChunks, type FolderEntry,
} from '@irdakit/obex'
import { IrdaStack } from '@irdakit/stack'
import { mediumKind, openMedium } from '../medium.js'
import { parseSize } from '../args.js'
import { Output, UserError, hex32, oneLine } from '../output.js'
import { emulatedSpeeds, parseDeviceAddress, roomSeed, stackOn, timing, transferOptions, type TransferFlags } from '../transfer.js'
import { registerObexServe } from './obex-serve.js'

export interface ObexFlags extends TransferFlags { device?: number }

/** The options every client subcommand has. */
function clientOptions (cmd: Command): Command {
  return transferOptions(cmd).option('--device <address>', 'the device to talk to (default: the one offering OBEX)', parseDeviceAddress)
}

export function registerObex (program: Command): void {
  const obex = program.command('obex').description('IrOBEX: push, pull and browse files on phones, PDAs and cameras')
  clientOptions(obex.command('push')
    .description('send files (an OBEX inbox takes them: vCards, pictures, memos)')
    .argument('<file...>', 'the files to send')
    .option('--folder <path>', 'change into this folder on the device first (e.g. Inbox)'))
    .action(async (files: string[], flags: ObexFlags & { folder?: string }) => { await push(files, flags) })
  clientOptions(obex.command('get')
    .description('fetch an object by name (folders with slashes: telecom/pb.vcf)')
    .argument('<name>', 'the object to fetch')
    .option('--out <path>', 'where to write it: a file or a directory (default: its name, here; never overwrites without --force)')
    .option('--force', 'overwrite --out')
    .option('--max-size <bytes>', 'stop (OBEX Abort) and keep nothing if the object grows past this, e.g. 64M', parseSize, DEFAULT_GET_MAX))
    .action(async (name: string, flags: GetFlags) => { await get(name, flags) })
  clientOptions(obex.command('ls')
    .description('list a folder on the device (OBEX Folder Browsing)')
    .argument('[path]', 'the folder (default: the root)', ''))
    .action(async (path: string, flags: ObexFlags) => { await ls(path, flags) })
  registerObexServe(obex)
  for (const c of obex.commands) c.exitOverride()
  obex.exitOverride()
}

/** Splits "a/b/c" into folders and a last name; refuses "..", empty parts are skipped. */
export function splitPath (path: string): string[] {
  const parts = path.split('/').filter(p => p !== '' && p !== '.')
  if (parts.includes('..')) throw new UserError(`${path}: ".." is not a folder name (OBEX goes up with SetPath, not by name)`)
  return parts
}

/**
 * Opens the medium, puts an emulated phone in the in-process room, connects an ObexClient and
 * runs `work`; the client, stack and medium are closed whatever happens.
 */
async function withClient<T> (flags: ObexFlags, station: string, opts: { browse?: boolean }, work: (c: ObexClient, out: Output) => Promise<T>, out: Output): Promise<{ value: T, peer: string, medium: string, seconds: number }> {
  mediumKind(flags)
  const medium = await openMedium(flags, station, { seed: roomSeed(flags), ...(flags.speed !== undefined ? { maxSpeed: flags.speed } : {}) })
  try {
    if (medium.room !== undefined) {
      const phone = IrdaStack.create({ port: medium.room.port('phone', { supportedSpeeds: emulatedSpeeds(flags) }), nickname: 'emulated phone', hints: [...OBEX_HINTS], seed: roomSeed(flags) * 10 + 1 })
      emulatedPhone(phone)
    }
    const stack = stackOn(medium, `irda ${station}`, flags)
    const clock = medium.port.clock
    return await medium.run((async () => {
      try {
        let client: ObexClient
        try {
          client = await ObexClient.connect(stack, { ...(flags.device !== undefined ? { deviceAddress: flags.device } : {}), ...(opts.browse === true ? { target: FOLDER_BROWSING_UUID } : {}) })
        } catch (e) {
          throw new UserError(`cannot connect to an OBEX service: ${oneLine(e)}`, 1)
        }
        const t0 = clock.now()
        try {
          const value = await work(client, out)
          return { value, peer: hex32(client.peer.deviceAddress), medium: medium.label, seconds: timing(clock, t0, 0).seconds }
        } catch (e) {
          if (e instanceof UserError) throw e
          throw new UserError(`${hex32(client.peer.deviceAddress)}: ${oneLine(e)}`, 1)
        } finally {
          await client.close().catch(() => {})
        }
      } finally {
        await stack.close()
      }
    })())
  } finally {
    out.clearProgress()
    await medium.close()
  }
}

async function enter (c: ObexClient, folders: string[]): Promise<void> {
  for (const f of folders) await c.setPath({ name: f })
}

function sizeOf (file: string): number {
  try {
    const s = statSync(file)
    if (!s.isFile()) throw new UserError(`${file} is not a file`)
    return s.size
  } catch (e) {
    if (e instanceof UserError) throw e
    throw new UserError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
  }
}

/** A MIME type for the kinds of object phones care about; undefined lets the device guess from the name. */
export function typeFor (name: string): string | undefined {
  const ext = name.toLowerCase().split('.').pop() ?? ''
  return ({ vcf: 'text/x-vcard', vcs: 'text/x-vcalendar', vnt: 'text/x-vnote', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', txt: 'text/plain' } as Record<string, string>)[ext]
}

async function push (files: string[], flags: ObexFlags & { folder?: string }): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const sizes = files.map(sizeOf)
  const folders = flags.folder !== undefined ? splitPath(flags.folder) : []
  const r = await withClient(flags, 'obex-push', {}, async c => {
    await enter(c, folders)
    const done: Array<{ file: string, name: string, bytes: number }> = []
    for (const [i, file] of files.entries()) {
      const name = basename(file)
      const type = typeFor(name)
      const p = await c.put(name, readFileChunks(file), { length: sizes[i], ...(type !== undefined ? { type } : {}), onProgress: n => { out.progress(`push ${name}`, n, sizes[i]) } })
      out.clearProgress()
      done.push({ file, name, bytes: p.bytes })
      out.line(`sent ${name}: ${p.bytes} bytes`)
    }
    return done
  }, out)
  const bytes = r.value.reduce((n, f) => n + f.bytes, 0)
  if (out.json) { out.emitJson({ command: 'obex push', ok: true, medium: r.medium, peer: r.peer, files: r.value, bytes, seconds: r.seconds }); return }
  out.line(out.style('dim', `${r.value.length} file${r.value.length === 1 ? '' : 's'}, ${bytes} bytes to ${r.peer} in ${r.seconds} s`))
}

/** Where `get` writes `name`: --out (a directory gets the name), else here; never over a file unless --force. */
function target (name: string, flags: { out?: string, force?: boolean }): string {
  let path = flags.out ?? name
  try { if (flags.out !== undefined && statSync(flags.out).isDirectory()) path = join(flags.out, name) } catch { /* a new file */ }
  if (existsSync(path) && flags.force !== true) throw new UserError(`${path} exists (use --force to overwrite)`)
  return path
}

/** What `get` takes at most unless told (--max-size): a device cannot fill the disk by sending without end. */
const DEFAULT_GET_MAX = 1024 ** 3

type GetFlags = ObexFlags & { out?: string, force?: boolean, maxSize: number }

async function get (name: string, flags: GetFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const parts = splitPath(name)
  const last = parts.pop()
  if (last === undefined) throw new UserError('get needs an object name')
  const path = target(last, flags)
  const part = `${path}.part`
  const r = await withClient(flags, 'obex-get', {}, async c => {
    await enter(c, parts)
    const fd = openSync(part, 'w')
    try {
      const got = await c.get(last, chunk => { for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off) }, { limit: flags.maxSize, onProgress: (n, total) => { out.progress(`get ${last}`, n, total ?? n) } })
      closeSync(fd)
      renameSync(part, path)
      return got
    } catch (e) {
      try { closeSync(fd) } catch { /* closed */ }
      try { unlinkSync(part) } catch { /* gone */ }
      throw e
    }
  }, out)
  if (out.json) { out.emitJson({ command: 'obex get', ok: true, medium: r.medium, peer: r.peer, name, file: path, bytes: r.value.bytes, seconds: r.seconds }); return }
  out.line(`got ${name}: ${r.value.bytes} bytes from ${r.peer} -> ${path}`)
}

/** The listing as a table: type, size, modified, name (folders first, as the device sent them). */
export function listingTable (entries: FolderEntry[]): string[] {
  const rows = entries.map(e => [e.kind === 'folder' ? 'dir' : 'file', e.size !== undefined ? String(e.size) : '', e.modified ?? '', e.kind === 'folder' ? `${e.name}/` : e.name])
  const head = ['TYPE', 'SIZE', 'MODIFIED', 'NAME']
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i].length)))
  const fmt = (r: string[]): string => r.map((c, i) => i === 1 ? c.padStart(widths[i]) : i === 3 ? c : c.padEnd(widths[i])).join('  ')
  return [fmt(head), ...rows.map(fmt)]
}

async function ls (path: string, flags: ObexFlags): Promise<void> {
  const out = new Output({ json: flags.json === true })
  const folders = splitPath(path)
  const r = await withClient(flags, 'obex-ls', { browse: true }, async c => { await enter(c, folders); return await c.list() }, out)
  if (out.json) { out.emitJson({ command: 'obex ls', ok: true, medium: r.medium, peer: r.peer, path: '/' + folders.join('/'), entries: r.value.entries, xml: r.value.xml }); return }
  out.line(out.style('bold', `${r.peer}:/${folders.join('/')}`))
  for (const line of listingTable(r.value.entries)) out.line(line)
}
