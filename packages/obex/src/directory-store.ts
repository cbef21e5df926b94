/*!
 * A directory on disk as an OBEX store: `irda obex serve <dir>`. It never writes outside its
 * root: every name is re-checked as one plain component (names.ts), and the real path of each
 * folder (symbolic links resolved) must lie inside the root's. Pushed objects are written to a
 * hidden `.name.obex-part` file chunk by chunk and renamed into place only when complete, so an
 * aborted or refused push leaves nothing behind.
 *
 * File I/O is synchronous, one packet's worth (at most 64 KiB) per call: it finishes within the
 * turn that asked for it, so a server on a virtual-time room stays deterministic and the peer's
 * deadlines are never overtaken by a disk that answers "later".
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readdirSync, readSync, realpathSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs'
import { join, relative, isAbsolute, sep } from 'node:path'
import type { FolderEntry } from './folder-listing.js'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from './errors.js'
import { unsafeName } from './names.js'
import { obexTime, type GetSource, type ObexStore, type ObjectInfo, type PutSink } from './store.js'

export interface DirectoryStoreOptions {
  /** Replace existing files (default false: a second push of one name is a Conflict). */
  overwrite?: boolean
  /** Called with the final path of every object stored. */
  onStored?: (path: string, bytes: number) => void
}

const PART = '.obex-part'

export class DirectoryStore implements ObexStore {
  constructor (readonly root: string, private readonly opts: DirectoryStoreOptions = {}) {}

  /** The real path of a folder, checked to lie inside the root. */
  private async dir (folder: readonly string[]): Promise<string> {
    for (const p of folder) this.check(p)
    const rootReal = realpathSync(this.root)
    let real: string
    try {
      real = realpathSync(join(rootReal, ...folder))
    } catch {
      throw new NotFoundError(0xC4, `no folder /${folder.join('/')}`)
    }
    const rel = relative(rootReal, real)
    if (rel.startsWith('..') || isAbsolute(rel) || rel.split(sep).includes('..')) throw new ForbiddenError(0xC3, `/${folder.join('/')} leads outside the served directory`)
    return real
  }

  private check (name: string): void {
    const why = unsafeName(name)
    if (why !== undefined) throw new BadRequestError(0xC0, `refused ${why}`)
    if (name.endsWith(PART)) throw new ForbiddenError(0xC3, `${name}: reserved`)
  }

  async put (folder: readonly string[], info: ObjectInfo): Promise<PutSink> {
    this.check(info.name)
    const dir = await this.dir(folder)
    const path = join(dir, info.name)
    const existing = statOrUndefined(path)
    if (existing?.isDirectory() === true) throw new ForbiddenError(0xC3, `${info.name} is a folder`)
    if (existing !== undefined && this.opts.overwrite !== true) throw new ConflictError(0xC9, `${info.name} already exists`)
    const part = join(dir, `.${info.name}${PART}`)
    let fd: number
    try {
      // O_EXCL|O_NOFOLLOW: never through a link someone planted, never two pushes into one file.
      fd = openSync(part, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644)
    } catch (e) {
      throw new ConflictError(0xC9, `${info.name} is being received already (${(e as NodeJS.ErrnoException).code ?? 'error'})`)
    }
    let bytes = 0
    let closed = false
    const close = (): void => { if (!closed) { closed = true; closeSync(fd) } }
    return {
      write: async chunk => { for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off); bytes += chunk.length },
      finish: async () => {
        close()
        if (this.opts.overwrite !== true && statOrUndefined(path) !== undefined) {
          try { unlinkSync(part) } catch { /* gone already */ }
          throw new ConflictError(0xC9, `${info.name} already exists`)
        }
        renameSync(part, path)
        this.opts.onStored?.(path, bytes)
      },
      discard: async () => {
        try { close() } catch { /* closing anyway */ }
        try { unlinkSync(part) } catch { /* gone already */ }
      },
    }
  }

  async delete (folder: readonly string[], name: string): Promise<void> {
    this.check(name)
    const path = join(await this.dir(folder), name)
    const s = statOrUndefined(path)
    if (s === undefined) throw new NotFoundError(0xC4, name)
    if (!s.isDirectory()) { unlinkSync(path); return }
    try { rmdirSync(path) } catch { throw new ForbiddenError(0xC3, `${name} is a folder that is not empty`) }
  }

  async get (folder: readonly string[], name: string): Promise<GetSource> {
    this.check(name)
    const path = join(await this.dir(folder), name)
    let fd: number
    try {
      fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW)
    } catch {
      throw new NotFoundError(0xC4, name)
    }
    const s = fstatSync(fd)
    if (!s.isFile()) { closeSync(fd); throw new NotFoundError(0xC4, `${name} is not a file`) }
    let closed = false
    return {
      size: s.size,
      read: async max => {
        const buf = new Uint8Array(Math.min(max, 1 << 16))
        const n = readSync(fd, buf, 0, buf.length, null)
        return n === 0 ? null : buf.subarray(0, n)
      },
      close: async () => { if (!closed) { closed = true; closeSync(fd) } },
    }
  }

  async list (folder: readonly string[]): Promise<FolderEntry[]> {
    const dir = await this.dir(folder)
    const out: FolderEntry[] = []
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.name.endsWith(PART) || unsafeName(d.name) !== undefined) continue
      if (d.isDirectory()) out.push({ kind: 'folder', name: d.name })
      else if (d.isFile()) {
        const s = statOrUndefined(join(dir, d.name))
        if (s !== undefined) out.push({ kind: 'file', name: d.name, size: s.size, modified: obexTime(s.mtime) })
      }
    }
    return out.sort((a, b) => a.kind === b.kind ? a.name.localeCompare(b.name) : a.kind === 'folder' ? -1 : 1)
  }

  async enter (folder: readonly string[], name: string, create: boolean): Promise<void> {
    this.check(name)
    const path = join(await this.dir(folder), name)
    const s = statOrUndefined(path)
    if (s?.isDirectory() === true) { await this.dir([...folder, name]); return }
    if (s !== undefined) throw new ForbiddenError(0xC3, `${name} is a file`)
    if (!create) throw new NotFoundError(0xC4, name)
    mkdirSync(path)
  }
}

function statOrUndefined (path: string): import('node:fs').Stats | undefined {
  try { return statSync(path) } catch { return undefined }
}

/**
 * A file's bytes as chunks of at most `chunkSize`, read synchronously one chunk per step (see
 * the module note): what `ObexClient.put` takes to push a file of any size without holding it.
 */
export async function * readFileChunks (path: string, chunkSize = 16 * 1024): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, 'r')
  try {
    for (;;) {
      const buf = new Uint8Array(chunkSize)
      const n = readSync(fd, buf, 0, chunkSize, null)
      if (n === 0) return
      yield buf.subarray(0, n)
    }
  } finally {
    closeSync(fd)
  }
}
