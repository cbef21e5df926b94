/*!
 * What an OBEX server serves: an {@link ObexStore} of folders and objects. The server hands it
 * one validated name at a time (see names.ts) and the folder path the client has set; a store
 * refuses by throwing the typed error of the response it wants sent (`new NotFoundError(0xC4)`,
 * or `responseError(code)`); any other error is answered Internal Server Error.
 * Bodies move in chunks both ways, so neither side holds a whole object.
 */
import type { FolderEntry } from './folder-listing.js'

export interface ObjectInfo { name: string, type?: string, length?: number }

/** Where a pushed object's bytes go. `finish` makes it visible; `discard` drops it (abort, error). */
export interface PutSink {
  write (chunk: Uint8Array): Promise<void>
  finish (): Promise<void>
  discard (): Promise<void>
}

/** Where a pulled object's bytes come from. `read` returns null at the end. */
export interface GetSource {
  size?: number
  read (max: number): Promise<Uint8Array | null>
  close (): Promise<void>
}

export interface ObexStore {
  /** Starts storing `info.name` in `folder` (refuse: Forbidden, Conflict, Database Full, ...). */
  put (folder: readonly string[], info: ObjectInfo): Promise<PutSink>
  /** Deletes an object (a Put with no body). */
  delete (folder: readonly string[], name: string): Promise<void>
  get (folder: readonly string[], name: string): Promise<GetSource>
  list (folder: readonly string[]): Promise<FolderEntry[]>
  /** Checks that subfolder `name` of `folder` exists, creating it when `create` (SetPath). */
  enter (folder: readonly string[], name: string, create: boolean): Promise<void>
}

/** ISO 8601 basic UTC, as folder listings and the Time header carry it: 20250101T120000Z. */
export function obexTime (d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '')
}

/** A GetSource over bytes already in memory (small objects: listings, vCards). */
export function bytesSource (data: Uint8Array): GetSource {
  let off = 0
  return {
    size: data.length,
    read: async max => {
      if (off >= data.length) return null
      const chunk = data.subarray(off, off + max)
      off += chunk.length
      return chunk
    },
    close: async () => {},
  }
}
