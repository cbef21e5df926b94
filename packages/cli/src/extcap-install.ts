/*!
 * `irda extcap --install` / `--uninstall`: an executable entry named `irdakit` in the user's
 * personal extcap folder, a two-line sh script that runs this very `irda` (same node, same
 * flags, same entry file) with `extcap` and Wireshark's arguments.
 *
 * Where Wireshark looks (checked with `tshark -G folders` and by listing interfaces, and in
 * Wireshark's wsutil/filesystem.c):
 * - 4.2 and later: `$HOME/.local/lib/wireshark/extcap`;
 * - before 4.2: `extcap` in the personal configuration folder, which is `$WIRESHARK_CONFIG_DIR`
 *   if set, else `~/.wireshark` if it exists, else `${XDG_CONFIG_HOME:-~/.config}/wireshark`.
 */
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { UserError } from './output.js'

/** The entry's file name in the extcap folder. */
export const EXTCAP_ENTRY = 'irdakit'
/** The line that marks an entry as ours, so `--uninstall` never removes someone else's file. */
export const EXTCAP_MARK = '# irdakit extcap entry, written by `irda extcap --install`'

export interface WiresharkVersion { major: number, minor: number, patch: number, text: string }

/** The installed Wireshark's version, from the first of wireshark, tshark, dumpcap that answers. */
export function wiresharkVersion (env: NodeJS.ProcessEnv = process.env): WiresharkVersion | undefined {
  for (const tool of ['wireshark', 'tshark', 'dumpcap']) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8', env, timeout: 15_000 })
    if (r.error !== undefined || r.status !== 0) continue
    const m = /\b(\d+)\.(\d+)\.(\d+)\b/.exec(r.stdout.split('\n')[0] ?? '')
    if (m !== null) return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: m[0] }
  }
  return undefined
}

/** The personal extcap folder of a Wireshark version; without a version, the 4.2+ one. */
export function personalExtcapDir (version: WiresharkVersion | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const home = env.HOME !== undefined && env.HOME !== '' ? env.HOME : homedir()
  const modern = version === undefined || version.major > 4 || (version.major === 4 && version.minor >= 2)
  if (modern) return join(home, '.local', 'lib', 'wireshark', 'extcap')
  if (env.WIRESHARK_CONFIG_DIR !== undefined && env.WIRESHARK_CONFIG_DIR !== '') return join(env.WIRESHARK_CONFIG_DIR, 'extcap')
  if (existsSync(join(home, '.wireshark'))) return join(home, '.wireshark', 'extcap')
  const config = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(home, '.config')
  return join(config, 'wireshark', 'extcap')
}

/** Single-quoted for sh: nothing inside is expanded. */
const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`

/**
 * How to start this `irda` again from anywhere: node, its flags, the entry file. A bare module
 * in `--import`/`--loader`/`--require` (tsx, when run from source) is resolved relative to the
 * directory node started in, which Wireshark does not share, so it becomes an absolute URL.
 */
export function irdaCommand (): string[] {
  const flags: string[] = []
  const args = process.execArgv
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const m = /^(--import|--loader|--experimental-loader|--require|-r)(?:=(.*))?$/.exec(a)
    if (m === null) { flags.push(a); continue }
    const spec = m[2] ?? args[++i]
    const absolute = /^(\.|\/|file:|data:|node:)/.test(spec) ? spec : import.meta.resolve(spec)
    flags.push(`${m[1]}=${absolute}`)
  }
  const entry = process.argv[1]
  return [process.execPath, ...flags, isAbsolute(entry) ? entry : resolve(entry)]
}

/** The entry script's text. */
export function extcapEntryScript (command: string[]): string {
  return `#!/bin/sh\n${EXTCAP_MARK}; \`irda extcap --uninstall\` removes it.\nexec ${command.map(shQuote).join(' ')} extcap "$@"\n`
}

export interface InstallResult { path: string, replaced: boolean }

/** Writes the entry into `dir` (created if missing), replacing an older one of ours. */
export function installExtcap (dir: string, command: string[] = irdaCommand()): InstallResult {
  const path = join(dir, EXTCAP_ENTRY)
  const replaced = existsSync(path)
  if (replaced && !isOurs(path)) throw new UserError(`${path} exists and is not an irdakit entry; move it away first`)
  try {
    mkdirSync(dir, { recursive: true })
    // Written beside and renamed, so Wireshark never runs a half-written script.
    const tmp = `${path}.${process.pid}.tmp`
    writeFileSync(tmp, extcapEntryScript(command), { mode: 0o755 })
    chmodSync(tmp, 0o755)
    renameSync(tmp, path)
  } catch (e) {
    throw new UserError(`cannot install into ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`)
  }
  return { path, replaced }
}

/** Removes our entry from each folder that holds one; returns the paths removed. */
export function uninstallExtcap (dirs: string[]): string[] {
  const removed: string[] = []
  for (const dir of new Set(dirs)) {
    const path = join(dir, EXTCAP_ENTRY)
    if (!existsSync(path)) continue
    if (!isOurs(path)) throw new UserError(`${path} is not an irdakit entry; left alone`)
    rmSync(path)
    removed.push(path)
  }
  return removed
}

function isOurs (path: string): boolean {
  try { return readFileSync(path, 'utf8').includes(EXTCAP_MARK) } catch { return false }
}
