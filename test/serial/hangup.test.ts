import { expect } from 'chai'
import { LinkError } from '@irdakit/core'
import { openSerialPort, type SerialIrdaPort } from '@irdakit/serial'
import { SerialPort } from 'serialport'
import { SerialPortStream } from '@serialport/stream'
import type { BindingInterface } from '@serialport/bindings-cpp'
import { hangupAware } from '../../packages/serial/src/hangup.js'
import { nextEvent } from './helpers.js'
import { ptyPair, skipWithoutSocat, within } from './socat.js'

/** Keeps the event loop polling without blocking (as a process with work queued does) until the returned stop is called. */
function keepLoopBusy (): () => void {
  let busy = true
  const spin = (): void => { if (busy) setImmediate(spin) }
  spin()
  return () => { busy = false }
}

/**
 * A pty whose socat dies while the port on it is idle (nothing written, nothing received). Real
 * time: every wait is bounded; the only bound on time is the generous "closed within 2 s".
 */
describe('serial/hangup: an idle port notices its pty vanishing (real time)', function () {
  this.timeout(120000)

  beforeEach(function () { skipWithoutSocat(this) })

  /** How a round leaves the port before socat dies. */
  type Mode = 'just opened' | 'idle' | 'idle, busy loop'
  const MODES: Mode[] = ['just opened', 'idle', 'idle, busy loop']

  /** One open, wait, kill socat round; a description of what went wrong, or undefined. */
  async function vanishOnce (mode: Mode): Promise<string | undefined> {
    const pty = await ptyPair()
    let port: SerialIrdaPort | undefined
    let stopBusy = (): void => {}
    try {
      port = await within(3000, openSerialPort({ path: pty.a, dongle: 'none' }), 'open')
      const closed = nextEvent(port, 'closed')
      // 'idle': the stream's read is pending on the poller when the pty goes; 'just opened': it may not be issued yet.
      if (mode !== 'just opened') await new Promise(resolve => setTimeout(resolve, 50))
      if (mode === 'idle, busy loop') stopBusy = keepLoopBusy()
      pty.kill()
      const ev = await within(2000, closed, 'closed event after socat died')
      stopBusy()
      return ev.error instanceof LinkError ? undefined : `closed without a LinkError: ${String(ev.error)}`
    } catch (e) {
      return (e as Error).message
    } finally {
      stopBusy()
      if (port !== undefined && !port.closed) await within(2000, port.close(), 'close').catch(() => {})
      pty.kill()
    }
  }

  it('reports closed with a LinkError within 2 s of the pty vanishing, 30 times out of 30 (just opened, idle, idle with a busy event loop)', async () => {
    const misses: string[] = []
    for (let i = 0; i < 30; i++) {
      const mode = MODES[i % MODES.length]
      const miss = await vanishOnce(mode)
      if (miss !== undefined) misses.push(`round ${i} (${mode}): ${miss}`)
    }
    expect(misses, `${misses.length} of 30 hang-ups went unnoticed`).to.deep.equal([])
  })

  it('a read that starts after the hang-up ends in a disconnect (close with an error), not in a silent busy loop', async () => {
    const pty = await ptyPair()
    const stream = new SerialPortStream({ binding: hangupAware(SerialPort.binding as BindingInterface), path: pty.a, baudRate: 9600, autoOpen: false })
    try {
      await within(3000, new Promise<void>((resolve, reject) => stream.open(err => { if (err != null) reject(err); else resolve() })), 'open')
      // No reader yet: the stream issues no read, so the hang-up happens with none pending.
      pty.kill()
      await new Promise(resolve => setTimeout(resolve, 200))
      const closed = new Promise<Error | null>(resolve => stream.once('close', (err: Error | null) => resolve(err)))
      stream.on('data', () => {})
      const err = await within(2000, closed, 'close after reading a hung-up pty')
      expect(err?.message).to.match(/hung up/)
    } finally {
      if (stream.isOpen) await new Promise<void>(resolve => stream.close(() => resolve()))
      pty.kill()
    }
  })
})
