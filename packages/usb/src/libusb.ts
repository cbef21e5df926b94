/*!
 * Real dongles: a thin adapter over the optional `usb` package (libusb, prebuilt binaries).
 * It is loaded only when a real device is asked for, so everything else (drivers, models,
 * tests) works without it, and a missing backend is a `UsbBackendMissingError` saying how to
 * install it. node-usb's `WebUSBDevice` already has the `UsbDevice` shape; the adapter adds
 * `onDisconnect` (libusb reports detach globally) and turns libusb's access and busy errors
 * into errors that say what to do.
 */
import { NoSuchUsbDeviceError, UsbBackendMissingError, UsbDeviceBusyError, UsbPermissionError } from './errors.js'
import { matchDriver } from './ids.js'
import type { DriverKind } from './driver.js'
import { vidPid, type UsbConfigurationInfo, type UsbDevice } from './usb-device.js'

/** The parts of node-usb used here (typed locally so the package type-checks without it). */
interface LegacyDevice {
  busNumber: number
  deviceAddress: number
  deviceDescriptor: { idVendor: number, idProduct: number, bcdDevice: number }
  allConfigDescriptors?: Array<{ bConfigurationValue: number, interfaces: Array<Array<{ bInterfaceNumber: number, bInterfaceClass: number, bInterfaceSubClass: number, bInterfaceProtocol: number, endpoints: Array<{ bEndpointAddress: number, bmAttributes: number, wMaxPacketSize: number }> }>> }>
}
interface UsbModule {
  getDeviceList: () => LegacyDevice[]
  usb: { on: (ev: 'detach', fn: (d: LegacyDevice) => void) => void, off: (ev: 'detach', fn: (d: LegacyDevice) => void) => void }
  WebUSBDevice: { createInstance: (d: LegacyDevice) => Promise<UsbDevice> }
}

let loaded: UsbModule | undefined

/** Loads the `usb` package once; throws `UsbBackendMissingError` when it is not there. */
export async function usbBackend (): Promise<UsbModule> {
  if (loaded !== undefined) return loaded
  const name = 'usb'
  try {
    loaded = await import(name) as UsbModule
  } catch (e) {
    throw new UsbBackendMissingError(e)
  }
  return loaded
}

/** One USB device present, with the driver that fits it (undefined: not an IrDA dongle). */
export interface UsbDongleInfo {
  index: number
  id: string
  bus: number
  address: number
  driver: DriverKind | undefined
  name: string | undefined
}

/** The interfaces of a device that is not open, from libusb's cached descriptors (best effort). */
function configurationOf (d: LegacyDevice): UsbConfigurationInfo | null {
  try {
    const c = d.allConfigDescriptors?.[0]
    if (c === undefined) return null
    return {
      configurationValue: c.bConfigurationValue,
      interfaces: c.interfaces.map(alts => ({
        interfaceNumber: alts[0].bInterfaceNumber,
        alternate: {
          interfaceClass: alts[0].bInterfaceClass,
          interfaceSubclass: alts[0].bInterfaceSubClass,
          interfaceProtocol: alts[0].bInterfaceProtocol,
          endpoints: alts[0].endpoints.map(e => ({
            endpointNumber: e.bEndpointAddress & 0x0F,
            direction: (e.bEndpointAddress & 0x80) !== 0 ? 'in' as const : 'out' as const,
            type: (['isochronous', 'isochronous', 'bulk', 'interrupt'] as const)[e.bmAttributes & 3],
            packetSize: e.wMaxPacketSize
          }))
        }
      }))
    }
  } catch {
    return null
  }
}

/** Every USB device present, IrDA dongles marked with their driver. */
export async function listUsbDevices (): Promise<UsbDongleInfo[]> {
  const usb = await usbBackend()
  return usb.getDeviceList().map((d, index) => {
    const { idVendor, idProduct } = d.deviceDescriptor
    const shape = { vendorId: idVendor, productId: idProduct, configuration: configurationOf(d) } as unknown as UsbDevice
    const m = matchDriver(shape)
    return { index, id: vidPid(idVendor, idProduct), bus: d.busNumber, address: d.deviceAddress, driver: m?.driver, name: m?.name }
  })
}

/** Only the IrDA dongles present. */
export async function listUsbDongles (): Promise<UsbDongleInfo[]> {
  return (await listUsbDevices()).filter(d => d.driver !== undefined)
}

/** Parses `vvvv:pppp` or a dongle index as `--usb` takes it. */
export function parseUsbSelector (s: string): { vendorId: number, productId: number } | { index: number } {
  const m = /^([0-9a-f]{4}):([0-9a-f]{4})$/i.exec(s.trim())
  if (m !== null) return { vendorId: parseInt(m[1], 16), productId: parseInt(m[2], 16) }
  if (/^\d+$/.test(s.trim())) return { index: Number(s) }
  throw new NoSuchUsbDeviceError(`--usb ${s}: give vid:pid in hex (e.g. 9710:7780) or an index from "irda dongles"`)
}

/** Opens the dongle `--usb` names (vid:pid, or an index into the dongles `irda dongles` lists). */
export async function openUsbDevice (selector: string): Promise<UsbDevice> {
  const usb = await usbBackend()
  const sel = parseUsbSelector(selector)
  const all = usb.getDeviceList()
  const dongles = await listUsbDongles()
  const legacy = 'index' in sel
    ? (() => { const info = dongles[sel.index]; return info === undefined ? undefined : all.find(d => d.busNumber === info.bus && d.deviceAddress === info.address) })()
    : all.find(d => d.deviceDescriptor.idVendor === sel.vendorId && d.deviceDescriptor.idProduct === sel.productId)
  if (legacy === undefined) {
    const have = dongles.map(d => `${d.index}: ${d.id} ${d.name ?? ''}`).join('; ')
    throw new NoSuchUsbDeviceError(`no USB IrDA dongle ${selector} present${have === '' ? ' (none found)' : `; present: ${have}`}`)
  }
  const id = vidPid(legacy.deviceDescriptor.idVendor, legacy.deviceDescriptor.idProduct)
  let dev: UsbDevice
  try {
    dev = await usb.WebUSBDevice.createInstance(legacy)
  } catch (e) {
    throw mapOpenError(id, e)
  }
  return withDisconnect(usb, legacy, dev, id)
}

/** libusb's refusals as errors that say what to do: access (udev rule), busy (another driver holds it). */
export function mapOpenError (id: string, e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e)
  if (/ACCESS|EACCES|permission/i.test(msg)) return new UsbPermissionError(id, e)
  if (/BUSY|EBUSY/i.test(msg)) return new UsbDeviceBusyError(id, e)
  return e instanceof Error ? e : new Error(msg)
}

/** Adds `onDisconnect` and friendlier open/claim errors to a node-usb WebUSBDevice. */
function withDisconnect (usb: UsbModule, legacy: LegacyDevice, dev: UsbDevice, id: string): UsbDevice {
  const listeners = new Set<(e: Error) => void>()
  const onDetach = (d: LegacyDevice): void => {
    if (d.busNumber !== legacy.busNumber || d.deviceAddress !== legacy.deviceAddress) return
    usb.usb.off('detach', onDetach)
    const e = new Error(`${id} was unplugged`)
    for (const l of [...listeners]) l(e)
  }
  usb.usb.on('detach', onDetach)
  const mapped = <A extends unknown[]>(f: (...a: A) => Promise<void>) => async (...a: A): Promise<void> => {
    try { await f(...a) } catch (e) { throw mapOpenError(id, e) }
  }
  return new Proxy(dev, {
    get (target, prop, receiver) {
      if (prop === 'onDisconnect') return (l: (e: Error) => void) => { listeners.add(l); return () => listeners.delete(l) }
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function') return v
      const bound = (v as (...a: unknown[]) => unknown).bind(target)
      if (prop === 'open' || prop === 'claimInterface') return mapped(bound as (...a: unknown[]) => Promise<void>)
      if (prop === 'close') return async () => { usb.usb.off('detach', onDetach); await (bound as () => Promise<void>)() }
      return bound
    }
  })
}
