/*!
 * Folder listings (type `x-obex/folder-listing`, the IrOBEX/Folder Browsing DTD
 * obex-folder-listing.dtd): `<folder-listing version="1.0">` holding `<parent-folder/>`,
 * `<folder name=.../>` and `<file name=... size=... modified=.../>`. The parser is a small tag
 * scanner, not an XML library: it reads those elements' attributes, decodes the five XML entities
 * and numeric references, ignores everything else, and caps how many entries it takes.
 */

export interface FolderEntry {
  kind: 'folder' | 'file'
  name: string
  size?: number
  /** As sent: ISO 8601 basic, "20250101T120000Z". */
  modified?: string
  type?: string
}

export interface FolderListing { parent: boolean, entries: FolderEntry[] }

const ESC: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' }
const escape = (s: string): string => s.replace(/[&<>"']/g, c => ESC[c])

export function buildFolderListing (l: FolderListing): string {
  const lines = [
    '<?xml version="1.0"?>',
    '<!DOCTYPE folder-listing SYSTEM "obex-folder-listing.dtd">',
    '<folder-listing version="1.0">',
  ]
  if (l.parent) lines.push('  <parent-folder/>')
  for (const e of l.entries) {
    const attrs = [`name="${escape(e.name)}"`]
    if (e.size !== undefined) attrs.push(`size="${e.size}"`)
    if (e.modified !== undefined) attrs.push(`modified="${escape(e.modified)}"`)
    if (e.type !== undefined) attrs.push(`type="${escape(e.type)}"`)
    lines.push(`  <${e.kind} ${attrs.join(' ')}/>`)
  }
  lines.push('</folder-listing>', '')
  return lines.join('\n')
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
function unescape (s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|\w+);/gi, (m, e: string) => {
    if (e[0] !== '#') return NAMED[e] ?? m
    const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)
    return n > 0 && n <= 0x10FFFF ? String.fromCodePoint(n) : m
  })
}

/** Reads a listing; at most `maxEntries` entries (a hostile listing cannot grow without bound). */
export function parseFolderListing (xml: string, maxEntries = 10_000): FolderListing {
  const out: FolderListing = { parent: false, entries: [] }
  const tag = /<(parent-folder|folder|file)\b([^>]*?)\/?>/g
  for (let m; (m = tag.exec(xml)) !== null && out.entries.length < maxEntries;) {
    if (m[1] === 'parent-folder') { out.parent = true; continue }
    const attrs = new Map<string, string>()
    for (const a of m[2].matchAll(/([\w-]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) attrs.set(a[1].toLowerCase(), unescape(a[3] ?? a[4] ?? ''))
    const name = attrs.get('name')
    if (name === undefined) continue
    const e: FolderEntry = { kind: m[1] as 'folder' | 'file', name }
    const size = Number(attrs.get('size'))
    if (attrs.has('size') && Number.isSafeInteger(size) && size >= 0) e.size = size
    if (attrs.has('modified')) e.modified = attrs.get('modified')
    if (attrs.has('type')) e.type = attrs.get('type')
    out.entries.push(e)
  }
  return out
}
