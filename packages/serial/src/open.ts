/*! `openSerialPort`: the entry point from DESIGN.md. */
import { RealClock, type Clock } from '@irdakit/core'
// Type-only: @serialport/bindings-interface has no typings in its exports map; bindings-cpp re-exports them.
import type { BindingInterface } from '@serialport/bindings-cpp'
import { SerialPortStream } from '@serialport/stream'
import { hangupAware } from './hangup.js'
import { dongleProfile } from './profiles.js'
import { SerialIrdaPort } from './serial-port.js'
import { UnsupportedSpeedError } from './errors.js'

/** Options of {@link openSerialPort}. */
export interface OpenSerialPortOptions {
  /** The tty (`/dev/ttyUSB0`, `COM3`, or a path known to `binding`). */
  path: string
  /** A `hardware/dongles` profile name; `none` (the default) is a plain SIR transceiver. */
  dongle?: string
  /** Speed after open; default 9600 (the IrDA contention speed). */
  baudRate?: number
  /** The serialport binding; default: the native one from `@serialport/bindings-cpp`. */
  binding?: BindingInterface
  /** The clock to schedule on; default: the binding's (emulated dongles), else a RealClock. */
  clock?: Clock
  /** Drop echoed transmissions; default: the profile's `echo`. */
  echo?: boolean
  /** Name for logs and captures; default: the path. */
  name?: string
}

/** The platform's native binding, as the `serialport` package picks it. */
async function nativeBinding (): Promise<BindingInterface> {
  const { SerialPort } = await import('serialport')
  return SerialPort.binding as BindingInterface
}

/**
 * Opens a serial port with an IrDA dongle behind it and returns a core `Port`. The dongle is
 * powered, reset and set to `baudRate` before this resolves. Rejects with `UnknownDongleError`,
 * `UnsupportedSpeedError`, the binding's open error, or `DongleReplyError` when the dongle does
 * not answer as its profile says.
 */
export async function openSerialPort (opts: OpenSerialPortOptions): Promise<SerialIrdaPort> {
  const profile = dongleProfile(opts.dongle ?? 'none')
  const bps = opts.baudRate ?? 9600
  if (!profile.speeds.includes(bps)) throw new UnsupportedSpeedError(bps, profile.speeds)
  const binding = opts.binding ?? await nativeBinding()
  const withClock = binding as BindingInterface & { clockOf?: (path: string) => Clock | undefined }
  const clock = opts.clock ?? withClock.clockOf?.(opts.path) ?? new RealClock()
  // hangupAware: a tty that hangs up while idle must close the stream, not spin its reader (see hangup.ts).
  const stream = new SerialPortStream({ binding: hangupAware(binding), path: opts.path, baudRate: profile.defaultSpeed, autoOpen: false })
  await new Promise<void>((resolve, reject) => stream.open(err => { if (err != null) reject(err); else resolve() }))
  const port = new SerialIrdaPort(opts.name ?? opts.path, clock, stream, profile, opts.echo ?? profile.echo)
  try {
    await port.start(bps)
  } catch (e) {
    await port.close().catch(() => {})
    throw e
  }
  return port
}
