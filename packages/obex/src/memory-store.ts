/*!
 * An in-memory folder tree: the emulated phone or PDA's storage, for tests and demos. Objects
 * pushed are kept whole once finished (that is what a phone's flash does); `capacity` makes it
 * answer Database Full, as a full phone does.
 */
import type { FolderEntry } from './folder-listing.js'
import { ConflictError, DatabaseFullError, ForbiddenError, NotFoundError } from './errors.js'
import { bytesSource, obexTime, type GetSource, type ObexStore, type ObjectInfo, type PutSink } from './store.js'

type Node = { kind: 'folder', children: Map<string, Node> } | { kind: 'file', data: Uint8Array, modified: string, type?: string }

export interface MemoryStoreOptions {
  /** Bytes it holds at most (Database Full beyond). Default unlimited. */
  capacity?: number
  /** Replace an object pushed under an existing name (default true, as phones do). */
  overwrite?: boolean
  /** The time stamp of new objects (default a fixed time, so listings repeat). */
  now?: () => Date
}

export class MemoryStore implements ObexStore {
  private readonly root: Node = { kind: 'folder', children: new Map() }
  private readonly opts: MemoryStoreOptions

  constructor (opts: MemoryStoreOptions = {}) { this.opts = opts }

  /** Bytes stored. */
  get used (): number { return sizeOf(this.root) }

  /** Puts an object at a slash-separated path, creating folders (for setting up a device). */
  add (path: string, data: Uint8Array | string, type?: string): this {
    const parts = path.split('/').filter(p => p !== '')
    const name = parts.pop()
    if (name === undefined) throw new Error('add() needs a file name')
    let dir = this.root
    for (const p of parts) {
      let next = dir.kind === 'folder' ? dir.children.get(p) : undefined
      if (next === undefined) { next = { kind: 'folder', children: new Map() }; if (dir.kind === 'folder') dir.children.set(p, next) }
      dir = next
    }
    if (dir.kind !== 'folder') throw new Error(`${path}: a parent is a file`)
    dir.children.set(name, { kind: 'file', data: typeof data === 'string' ? new TextEncoder().encode(data) : data, modified: this.stamp(), ...(type !== undefined ? { type } : {}) })
    return this
  }

  /** Creates a folder at a slash-separated path. */
  mkdir (path: string): this {
    let dir = this.root
    for (const p of path.split('/').filter(x => x !== '')) {
      if (dir.kind !== 'folder') throw new Error(`${path}: a parent is a file`)
      let next = dir.children.get(p)
      if (next === undefined) { next = { kind: 'folder', children: new Map() }; dir.children.set(p, next) }
      dir = next
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
    const cap = this.opts.capacity
    if (cap !== undefined && info.length !== undefined && this.used + info.length > cap) throw new DatabaseFullError(0xE0, `${info.length} bytes do not fit`)
    const parts: Uint8Array[] = []
    let n = 0
    return {
      write: async chunk => {
        n += chunk.length
        if (cap !== undefined && this.used + n > cap) throw new DatabaseFullError(0xE0, 'the store is full')
        parts.push(chunk.slice())
      },
      finish: async () => {
        const data = new Uint8Array(n)
        let off = 0
        for (const p of parts) { data.set(p, off); off += p.length }
        dir.children.set(info.name, { kind: 'file', data, modified: this.stamp(), ...(info.type !== undefined ? { type: info.type } : {}) })
      },
      discard: async () => { parts.length = 0 },
    }
  }

  async delete (folder: readonly string[], name: string): Promise<void> {
    const dir = this.folder(folder)
    const node = dir.children.get(name)
    if (node === undefined) throw new NotFoundError(0xC4, name)
    if (node.kind === 'folder' && node.children.size > 0) throw new ForbiddenError(0xC3, `${name} is a folder that is not empty`)
    dir.children.delete(name)
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
    dir.children.set(name, { kind: 'folder', children: new Map() })
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

function sizeOf (n: Node): number {
  if (n.kind === 'file') return n.data.length
  let s = 0
  for (const c of n.children.values()) s += sizeOf(c)
  return s
}
