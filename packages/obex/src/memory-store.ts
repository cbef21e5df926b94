/*!
 * An in-memory folder tree: the emulated phone or PDA's storage, for tests and demos. Objects
 * pushed are kept whole once finished (that is what a phone's flash does); `capacity` makes it
 * answer Database Full, as a full phone does. Capacity counts the data and
 * {@link ENTRY_BYTES} for every file and folder, and Puts still arriving, so a peer that pushes
 * without end, many Puts at once, or a flood of empty objects or folders fills it too.
 */
import type { FolderEntry } from './folder-listing.js'
import { ConflictError, DatabaseFullError, ForbiddenError, NotFoundError } from './errors.js'
import { bytesSource, obexTime, type GetSource, type ObexStore, type ObjectInfo, type PutSink } from './store.js'

type Node = { kind: 'folder', children: Map<string, Node> } | { kind: 'file', data: Uint8Array, modified: string, type?: string }

/** What a file or folder costs against `capacity` beyond its data: its name and bookkeeping. */
export const ENTRY_BYTES = 64

export interface MemoryStoreOptions {
  /** Bytes it holds at most, entries counted (Database Full beyond). Default unlimited. */
  capacity?: number
  /** Replace an object pushed under an existing name (default true, as phones do). */
  overwrite?: boolean
  /** The time stamp of new objects (default a fixed time, so listings repeat). */
  now?: () => Date
}

export class MemoryStore implements ObexStore {
  private readonly root: Node = { kind: 'folder', children: new Map() }
  private readonly opts: MemoryStoreOptions
  /** Data plus {@link ENTRY_BYTES} per entry, kept as entries come and go. */
  private stored = 0
  /** Bytes of Puts still arriving. */
  private arriving = 0

  constructor (opts: MemoryStoreOptions = {}) { this.opts = opts }

  /** Bytes stored, {@link ENTRY_BYTES} per file and folder included. */
  get used (): number { return this.stored }

  /** Puts an object at a slash-separated path, creating folders (for setting up a device). */
  add (path: string, data: Uint8Array | string, type?: string): this {
    const parts = path.split('/').filter(p => p !== '')
    const name = parts.pop()
    if (name === undefined) throw new Error('add() needs a file name')
    let dir = this.root
    for (const p of parts) {
      let next = dir.kind === 'folder' ? dir.children.get(p) : undefined
      if (next === undefined && dir.kind === 'folder') next = this.makeFolder(dir, p)
      if (next === undefined) break
      dir = next
    }
    if (dir.kind !== 'folder') throw new Error(`${path}: a parent is a file`)
    this.setFile(dir, name, typeof data === 'string' ? new TextEncoder().encode(data) : data, type)
    return this
  }

  /** Creates a folder at a slash-separated path. */
  mkdir (path: string): this {
    let dir = this.root
    for (const p of path.split('/').filter(x => x !== '')) {
      if (dir.kind !== 'folder') throw new Error(`${path}: a parent is a file`)
      dir = dir.children.get(p) ?? this.makeFolder(dir, p)
    }
    return this
  }

  /** The bytes at a slash-separated path, or undefined. */
  read (path: string): Uint8Array | undefined {
    const parts = path.split('/').filter(p => p !== '')
    const name = parts.pop() ?? ''
    const node = this.folderOrUndefined(parts)?.children.get(name)
    return node?.kind === 'file' ? node.data : undefined
  }

  async put (folder: readonly string[], info: ObjectInfo): Promise<PutSink> {
    const dir = this.folder(folder)
    const existing = dir.children.get(info.name)
    if (existing?.kind === 'folder') throw new ForbiddenError(0xC3, `${info.name} is a folder`)
    if (existing !== undefined && this.opts.overwrite === false) throw new ConflictError(0xC9, `${info.name} exists`)
    if (!this.fits(ENTRY_BYTES + (info.length ?? 0))) throw new DatabaseFullError(0xE0, `${info.length ?? 0} bytes do not fit`)
    const parts: Uint8Array[] = []
    let n = 0
    const settle = (): void => { this.arriving -= n; n = 0; parts.length = 0 }
    return {
      write: async chunk => {
        if (!this.fits(ENTRY_BYTES + chunk.length)) throw new DatabaseFullError(0xE0, 'the store is full')
        n += chunk.length
        this.arriving += chunk.length
        parts.push(chunk.slice())
      },
      finish: async () => {
        const data = new Uint8Array(n)
        let off = 0
        for (const p of parts) { data.set(p, off); off += p.length }
        settle()
        this.setFile(dir, info.name, data, info.type)
      },
      discard: async () => { settle() },
    }
  }

  async delete (folder: readonly string[], name: string): Promise<void> {
    const dir = this.folder(folder)
    const node = dir.children.get(name)
    if (node === undefined) throw new NotFoundError(0xC4, name)
    if (node.kind === 'folder' && node.children.size > 0) throw new ForbiddenError(0xC3, `${name} is a folder that is not empty`)
    dir.children.delete(name)
    this.stored -= costOf(node)
  }

  async get (folder: readonly string[], name: string): Promise<GetSource> {
    const node = this.folder(folder).children.get(name)
    if (node?.kind !== 'file') throw new NotFoundError(0xC4, name)
    return bytesSource(node.data)
  }

  async list (folder: readonly string[]): Promise<FolderEntry[]> {
    return [...this.folder(folder).children].map(([name, n]) => n.kind === 'folder'
      ? { kind: 'folder' as const, name }
      : { kind: 'file' as const, name, size: n.data.length, modified: n.modified, ...(n.type !== undefined ? { type: n.type } : {}) })
  }

  async enter (folder: readonly string[], name: string, create: boolean): Promise<void> {
    const dir = this.folder(folder)
    const node = dir.children.get(name)
    if (node?.kind === 'folder') return
    if (node !== undefined) throw new ForbiddenError(0xC3, `${name} is a file`)
    if (!create) throw new NotFoundError(0xC4, name)
    if (!this.fits(ENTRY_BYTES)) throw new DatabaseFullError(0xE0, 'the store is full')
    this.makeFolder(dir, name)
  }

  /** Whether `more` bytes still fit beside what is stored and what Puts are bringing. */
  private fits (more: number): boolean {
    const cap = this.opts.capacity
    return cap === undefined || this.stored + this.arriving + more <= cap
  }

  private makeFolder (dir: Node & { kind: 'folder' }, name: string): Node & { kind: 'folder' } {
    const node: Node & { kind: 'folder' } = { kind: 'folder', children: new Map() }
    dir.children.set(name, node)
    this.stored += ENTRY_BYTES
    return node
  }

  /** Stores a file, replacing (and uncounting) what was there. */
  private setFile (dir: Node & { kind: 'folder' }, name: string, data: Uint8Array, type: string | undefined): void {
    const old = dir.children.get(name)
    if (old !== undefined) this.stored -= costOf(old)
    dir.children.set(name, { kind: 'file', data, modified: this.stamp(), ...(type !== undefined ? { type } : {}) })
    this.stored += ENTRY_BYTES + data.length
  }

  private stamp (): string { return obexTime(this.opts.now?.() ?? new Date(Date.UTC(2001, 0, 1))) }

  private folderOrUndefined (path: readonly string[]): (Node & { kind: 'folder' }) | undefined {
    let dir: Node = this.root
    for (const p of path) {
      const next: Node | undefined = dir.kind === 'folder' ? dir.children.get(p) : undefined
      if (next?.kind !== 'folder') return undefined
      dir = next
    }
    return dir.kind === 'folder' ? dir : undefined
  }

  private folder (path: readonly string[]): Node & { kind: 'folder' } {
    const dir = this.folderOrUndefined(path)
    if (dir === undefined) throw new NotFoundError(0xC4, `no folder /${path.join('/')}`)
    return dir
  }
}

/** What a node counts against capacity (a folder with what it holds). */
function costOf (n: Node): number {
  if (n.kind === 'file') return ENTRY_BYTES + n.data.length
  let s = ENTRY_BYTES
  for (const c of n.children.values()) s += costOf(c)
  return s
}
