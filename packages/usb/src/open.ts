/*!
 * `openUsbPort`: picks the driver that fits a USB device (VID:PID table, then the bridge class),
 * opens it and returns a running Port. The device is anything `UsbDevice`-shaped: node-usb's
 * `WebUSBDevice` (see `libusb.ts`) for a real dongle, a model from `models/` in tests.
 */
import { RealClock, type Clock } from '@irdakit/core'
import { BridgeDriver } from './drivers/bridge.js'
import { Mcs7780Driver } from './drivers/mcs7780.js'
import { Stir4200Driver } from './drivers/stir4200.js'
import { DazzleDriver, KingsunDriver, Ks959Driver } from './drivers/kingsun.js'
import type { DriverKind, DriverContext, UsbIrdaDriver } from './driver.js'
import { NoSuchUsbDeviceError } from './errors.js'
import { matchDriver, Quirk } from './ids.js'
import { UsbIrdaPort } from './usb-port.js'
import { vidPid, type UsbDevice } from './usb-device.js'

export interface OpenUsbPortOptions {
  device: UsbDevice
  /** The clock the port schedules on: a room's clock for a model, a RealClock (default) for hardware. */
  clock?: Clock
  /** Force a driver instead of matching VID:PID. */
  driver?: DriverKind
  /** irda-usb quirks (Quirk.*) instead of the table's. */
  quirks?: number
  /** STIr421x: the firmware patch file, or a directory with `4210XXXX.sb` in it. */
  firmware?: string
  /** Port name for logs (default `usb:vvvv:pppp`). */
  name?: string
}

export function createDriver (kind: DriverKind, ctx: DriverContext, quirks = 0): UsbIrdaDriver {
  switch (kind) {
    case 'irda-usb': return new BridgeDriver(ctx, quirks & ~Quirk.STIR421X)
    case 'stir421x': return new BridgeDriver(ctx, quirks | Quirk.STIR421X)
    case 'mcs7780': return new Mcs7780Driver(ctx)
    case 'stir4200': return new Stir4200Driver(ctx)
    case 'kingsun': return new KingsunDriver(ctx)
    case 'ksdazzle': return new DazzleDriver(ctx)
    case 'ks959': return new Ks959Driver(ctx)
  }
}

export async function openUsbPort (opts: OpenUsbPortOptions): Promise<UsbIrdaPort> {
  const { device } = opts
  const id = vidPid(device.vendorId, device.productId)
  const match = matchDriver(device)
  const kind = opts.driver ?? match?.driver
  if (kind === undefined) throw new NoSuchUsbDeviceError(`usb ${id}: not an IrDA dongle irdakit knows (no VID:PID match, no IrDA bridge interface FE/02)`)
  const clock = opts.clock ?? new RealClock()
  const driver = createDriver(kind, { device, clock, firmware: opts.firmware }, opts.quirks ?? match?.quirks ?? 0)
  const port = new UsbIrdaPort(opts.name ?? `usb:${id}`, clock, driver, device)
  try {
    await port.start()
  } catch (e) {
    await driver.close().catch(() => {})
    throw e
  }
  return port
}
