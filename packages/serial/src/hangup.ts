/*!
 * Hang-up detection for the native unix serialport bindings (`@serialport/bindings-cpp` on Linux
 * and macOS). Their read loop (`unixRead`) retries at once when `read(2)` returns 0 bytes. On a
 * hung-up tty every read returns 0, so that loop spins on the thread pool forever, the stream
 * never sees an error, and a vanished device only surfaces at the next write (EIO).
 *
 * An idle port gets there in two ways. The stream issues its first read a little after open, so a
 * device that goes right away is only ever read after the hang-up. And when a pty's master closes,
 * Linux first marks the slave "other side closed" and wakes its pollers (POLLHUP), and only then
 * hangs it up (POLLERR, reads return 0): an event loop that polls inside that window sees the fd
 * readable (libuv turns a lone POLLHUP into readable) and reads after the hang-up. Outside the
 * window POLLERR fails the pending read (libuv's EBADF) and the stream closes as it should.
 *
 * `hangupAware` wraps a binding so that its ports run the same read loop, except that 0 bytes
 * reject with a disconnect error; `SerialPortStream` then closes and emits `close` with it, which
 * `SerialIrdaPort` reports as `closed` with a `LinkError`. It relies on: VMIN >= 1 (the binding's
 * default, which `openSerialPort` keeps), so that a non-blocking read returns EAGAIN, never 0,
 * while the line is up; the `fd` and `poller` that the unix port classes declare in their typings;
 * and the stream treating any read error not marked `canceled` as a disconnect. Ports without an
 * `fd` and a `poller` (emulated and mock bindings, Windows) pass through untouched.
 */
import { read } from 'node:fs'
import { promisify } from 'node:util'
import type { BindingInterface, BindingPortInterface, OpenOptions, SetOptions, UpdateOptions } from '@serialport/bindings-cpp'

const readAsync = promisify(read)

/** What the native unix port objects (`LinuxPortBinding`, `DarwinPortBinding`) expose publicly. */
interface UnixPort extends BindingPortInterface {
  fd: number | null
  poller: { once: (event: 'readable', listener: (err: Error | null) => void) => unknown }
}

const isUnixPort = (port: BindingPortInterface): port is UnixPort => {
  const p = port as Partial<UnixPort>
  return 'fd' in p && (typeof p.fd === 'number' || p.fd === null) && typeof p.poller?.once === 'function'
}

/** A read ended by our own close: `SerialPortStream` ignores errors marked `canceled`. */
const canceled = (): Error => Object.assign(new Error('Port is not open'), { canceled: true })

/** The tty hung up: not `canceled`, so `SerialPortStream` treats it as a disconnect and closes. */
const hungUp = (): Error => Object.assign(new Error('the line hung up (read returned end of file)'), { code: 'EIO', disconnect: true })

/** A unix port whose `read` fails on end of file instead of retrying it forever. */
class HangupAwarePort implements BindingPortInterface {
  constructor (private readonly inner: UnixPort) {}

  get openOptions (): Required<OpenOptions> { return this.inner.openOptions }
  get isOpen (): boolean { return this.inner.isOpen }

  async read (buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer, bytesRead: number }> {
    for (;;) {
      const fd = this.inner.fd
      if (!this.inner.isOpen || fd === null) throw canceled()
      try {
        const { bytesRead } = await readAsync(fd, buffer, offset, length, null)
        if (bytesRead === 0) throw hungUp()
        return { buffer, bytesRead }
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code !== 'EAGAIN' && code !== 'EWOULDBLOCK' && code !== 'EINTR') throw e
        if (!this.inner.isOpen) throw canceled()
        // Nothing to read: wait for the poller. Its error (POLLERR: hung up, or canceled by close) ends the read.
        await new Promise<void>((resolve, reject) => {
          this.inner.poller.once('readable', err => { if (err !== null && err !== undefined) reject(err); else resolve() })
        })
      }
    }
  }

  async close (): Promise<void> { await this.inner.close() }
  async write (buffer: Buffer): Promise<void> { await this.inner.write(buffer) }
  async update (options: UpdateOptions): Promise<void> { await this.inner.update(options) }
  async set (options: SetOptions): Promise<void> { await this.inner.set(options) }
  async get (): ReturnType<BindingPortInterface['get']> { return await this.inner.get() }
  async getBaudRate (): ReturnType<BindingPortInterface['getBaudRate']> { return await this.inner.getBaudRate() }
  async flush (): Promise<void> { await this.inner.flush() }
  async drain (): Promise<void> { await this.inner.drain() }
}

/** `binding` with hang-up detection on the ports it opens (see the module note). */
export function hangupAware (binding: BindingInterface): BindingInterface {
  return {
    list: async () => await binding.list(),
    open: async (options: OpenOptions) => {
      const port = await binding.open(options)
      return isUnixPort(port) ? new HangupAwarePort(port) : port
    }
  }
}
