/*!
 * The Linux 4.9 IrDA guest as an opt-in test peer: booted in qemu from the folder named by
 * IRDAKIT_LINUX_PEER (its run-qemu.sh, kernel and initramfs; see that folder's README). Nothing
 * of it lives in this repository. `linuxGuestMissing()` says why a test must skip.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { createConnection, type Socket } from 'node:net'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface LinuxGuest {
  /** The host pty that is the guest's IrDA serial port (irtty-sir at 9600 bit/s). */
  pty: string
  /** The nickname the guest announces in discovery. */
  nickname: string
  /** Everything the guest's console printed so far. */
  console: () => string
  /** Types a command line on the guest's shell; what it prints lands in `console()`. */
  command: (line: string) => Promise<void>
  /** Waits (at most `timeoutMs`) until the console, from character `from` on, matches `pattern`. */
  waitFor: (pattern: RegExp, from: number, timeoutMs: number) => Promise<RegExpExecArray>
  stop: () => void
}

/** Why the guest cannot be booted here (a skip message with the fix), or undefined when it can. */
export function linuxGuestMissing (env: NodeJS.ProcessEnv = process.env): string | undefined {
  const peer = env.IRDAKIT_LINUX_PEER
  if (peer === undefined || peer === '') return 'set IRDAKIT_LINUX_PEER to the linux-peer folder (IRDAKIT_LINUX_PEER=/path/to/linux-peer npm run test:linux)'
  if (!existsSync(join(peer, 'run-qemu.sh')) || !existsSync(join(peer, 'bzImage-4.9.337-irda'))) return `${peer} has no run-qemu.sh and bzImage-4.9.337-irda`
  if (spawnSync('qemu-system-x86_64', ['--version'], { stdio: 'ignore' }).status !== 0) return 'qemu-system-x86_64 not found (apt-get install -y qemu-system-x86)'
  return undefined
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/** Boots the guest and waits (up to `readyMs`) until its console says it is ready. */
export async function bootLinuxGuest (opts: { nickname?: string, readyMs?: number } = {}): Promise<LinuxGuest> {
  const peer = process.env.IRDAKIT_LINUX_PEER ?? ''
  const nickname = opts.nickname ?? 'linuxguest'
  const runDir = mkdtempSync(join(tmpdir(), 'irdakit-linux-guest-'))
  execFileSync(join(peer, 'run-qemu.sh'), { env: { ...process.env, RUN_DIR: runDir, NICK: nickname }, stdio: 'ignore' })
  const pid = Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8'))
  const log = join(runDir, 'console.log')
  const consoleText = (): string => existsSync(log) ? readFileSync(log, 'utf8') : ''
  // One console connection for the guest's life: qemu reads a line only as fast as the guest's
  // UART takes it, and drops what is unread when the connection closes.
  let consoleSock: Socket | undefined
  const stop = (): void => {
    consoleSock?.destroy()
    try { process.kill(pid) } catch {}
    rmSync(runDir, { recursive: true, force: true })
  }
  const limit = opts.readyMs ?? 180_000
  for (let waited = 0; !/irda-peer: .*ready/.test(consoleText()); waited += 500) {
    if (waited > limit) { const text = consoleText(); stop(); throw new Error(`the Linux guest did not come up within ${limit / 1000} s:\n${text.slice(-2000)}`) }
    await sleep(500)
  }
  const command = async (line: string): Promise<void> => {
    if (consoleSock === undefined) {
      consoleSock = createConnection(join(runDir, 'console.sock'))
      await once(consoleSock, 'connect')
    }
    const sock = consoleSock
    await new Promise<void>((resolve, reject) => sock.write(line + '\n', e => { if (e == null) resolve(); else reject(e) }))
  }
  const waitFor = async (pattern: RegExp, from: number, timeoutMs: number): Promise<RegExpExecArray> => {
    for (let waited = 0; ; waited += 200) {
      const m = pattern.exec(consoleText().slice(from))
      if (m !== null) return m
      if (waited > timeoutMs) throw new Error(`the Linux guest ${nickname} did not print ${String(pattern)} within ${timeoutMs / 1000} s:\n${consoleText().slice(from).slice(-1500)}`)
      await sleep(200)
    }
  }
  return { pty: join(runDir, 'ttyIR'), nickname, console: consoleText, command, waitFor, stop }
}
