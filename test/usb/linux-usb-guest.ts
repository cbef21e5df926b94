/*!
 * The Linux 4.9 guest (IRDAKIT_LINUX_PEER) booted with qemu's usb-redir: qemu serves a usbredir
 * socket, and whoever connects to it plugs a USB device into the guest (closing = unplug). Also a
 * console to run commands in the guest. Nothing of the guest lives in this repository.
 */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { connect, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export { linuxGuestMissing } from '../helpers/linux-guest.js'

export interface UsbLinuxGuest {
  nickname: string
  /** The usbredir socket qemu listens on. */
  usbredir: string
  /** Runs a shell command on the guest console; resolves with what the console printed until `until` matched (or `ms` passed). */
  run: (cmd: string, until: RegExp, ms?: number) => Promise<string>
  consoleLog: () => string
  stop: () => void
}

const sleep = async (ms: number): Promise<void> => { await new Promise(resolve => setTimeout(resolve, ms)) }

/**
 * A newc cpio archive (what the kernel unpacks into its initramfs) holding `files`, with their
 * directories. Appended, gzipped, to the guest's initramfs it adds files without rebuilding it.
 */
export function cpioNewc (files: Record<string, Uint8Array>): Buffer {
  const parts: Buffer[] = []
  let ino = 1000
  const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4)
  const entry = (name: string, mode: number, data: Uint8Array): void => {
    const fields = [ino++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0]
    const header = Buffer.from('070701' + fields.map(f => f.toString(16).padStart(8, '0')).join(''), 'latin1')
    const head = Buffer.concat([header, Buffer.from(name + '\0', 'latin1')])
    parts.push(head, pad4(head.length), Buffer.from(data), pad4(data.length))
  }
  const dirs = new Set<string>()
  for (const path of Object.keys(files)) {
    const segs = path.split('/')
    for (let i = 1; i < segs.length; i++) dirs.add(segs.slice(0, i).join('/'))
  }
  for (const d of [...dirs].sort()) entry(d, 0o040755, new Uint8Array(0))
  for (const [path, data] of Object.entries(files)) entry(path, 0o100644, data)
  entry('TRAILER!!!', 0, new Uint8Array(0))
  return Buffer.concat(parts)
}

export async function bootUsbLinuxGuest (nickname = 'linuxusb', readyMs = 240_000, extraFiles?: Record<string, Uint8Array>): Promise<UsbLinuxGuest> {
  let peer = process.env.IRDAKIT_LINUX_PEER ?? ''
  const runDir = mkdtempSync(join(tmpdir(), 'irdakit-linux-usb-'))
  if (extraFiles !== undefined) {
    // A private copy of the peer folder whose initramfs also holds the extra files.
    const own = join(runDir, 'peer')
    execFileSync('mkdir', ['-p', own])
    for (const f of ['run-qemu.sh', 'bzImage-4.9.337-irda']) copyFileSync(join(peer, f), join(own, f))
    writeFileSync(join(own, 'initramfs.cpio.gz'), Buffer.concat([readFileSync(join(peer, 'initramfs.cpio.gz')), gzipSync(cpioNewc(extraFiles))]))
    execFileSync('chmod', ['+x', join(own, 'run-qemu.sh')])
    peer = own
  }
  const usbredir = join(runDir, 'usbredir.sock')
  const extra = `-device qemu-xhci,id=xhci -chardev socket,id=ur,path=${usbredir},server=on,wait=off -device usb-redir,chardev=ur,bus=xhci.0`
  execFileSync(join(peer, 'run-qemu.sh'), { env: { ...process.env, RUN_DIR: runDir, NICK: nickname, QEMU_EXTRA: extra }, stdio: 'ignore' })
  const pid = Number(readFileSync(join(runDir, 'qemu.pid'), 'utf8'))
  const log = join(runDir, 'console.log')
  const consoleLog = (): string => existsSync(log) ? readFileSync(log, 'utf8') : ''
  let con: Socket | undefined
  const stop = (): void => {
    con?.destroy()
    try { process.kill(pid) } catch {}
    rmSync(runDir, { recursive: true, force: true })
  }
  for (let waited = 0; !/irda-peer: .*ready/.test(consoleLog()); waited += 500) {
    if (waited > readyMs) { const t = consoleLog(); stop(); throw new Error(`the Linux guest did not come up within ${readyMs / 1000} s:\n${t.slice(-2000)}`) }
    await sleep(500)
  }
  con = connect(join(runDir, 'console.sock'))
  let seen = ''
  con.on('data', d => { seen += d.toString('latin1') })
  con.on('error', () => {})
  const run = async (cmd: string, until: RegExp, ms = 30_000): Promise<string> => {
    const from = seen.length
    con!.write(cmd + '\n')
    for (let waited = 0; waited < ms; waited += 200) {
      if (until.test(seen.slice(from))) break
      await sleep(200)
    }
    return seen.slice(from)
  }
  return { nickname, usbredir, run, consoleLog, stop }
}
