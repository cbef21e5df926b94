/*! `--usb <vid:pid|index>`: a USB IrDA dongle as a command's medium, and the USB part of `irda dongles`. */
import { listUsbDongles, openUsbDevice, openUsbPort, type UsbDongleInfo, type UsbIrdaPort } from '@irdakit/usb'
import { UserError, oneLine } from './output.js'

/** Opens the dongle `--usb` names with the driver that fits it; failures are one-line UserErrors. */
export async function openUsbMedium (selector: string, firmware?: string): Promise<{ port: UsbIrdaPort, label: string }> {
  let port: UsbIrdaPort
  try {
    const device = await openUsbDevice(selector)
    port = await openUsbPort({ device, ...(firmware !== undefined ? { firmware } : {}) })
  } catch (e) {
    throw new UserError(`cannot open USB dongle ${selector}: ${oneLine(e)}`)
  }
  return { port, label: `usb ${selector} (${port.driver.kind})` }
}

/** A USB dongle for a passive listener (`irda dump --usb`, `irda view --usb`), listening at `speed` (default 9600). */
export async function openUsbListening (selector: string, firmware: string | undefined, speed: number | undefined): Promise<UsbIrdaPort> {
  const { port } = await openUsbMedium(selector, firmware)
  if (speed !== undefined && speed !== port.speed) {
    try { await port.setSpeed(speed) } catch (e) { await port.close().catch(() => {}); throw new UserError(`cannot listen at ${speed} bit/s on USB dongle ${selector}: ${oneLine(e)}`) }
  }
  return port
}

/** The USB IrDA dongles plugged in, or why they cannot be listed (no libusb backend). */
export async function usbDongles (): Promise<{ dongles: UsbDongleInfo[] } | { unavailable: string }> {
  try {
    return { dongles: await listUsbDongles() }
  } catch (e) {
    return { unavailable: oneLine(e) }
  }
}
