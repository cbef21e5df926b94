/*!
 * The Linux 4.9 guest (IRDAKIT_LINUX_PEER) booted with qemu's usb-redir: qemu serves a usbredir
 * socket, and whoever connects to it plugs a USB device into the guest (closing = unplug). Also a
 * console to run commands in the guest. Nothing of the guest lives in this repository.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
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

export async function bootUsbLinuxGuest (nickname = 'linuxusb', readyMs = 240_000): Promise<UsbLinuxGuest> {
  const peer = process.env.IRDAKIT_LINUX_PEER ?? ''
  const runDir = mkdtempSync(join(tmpdir(), 'irdakit-linux-usb-'))
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
