/*!
 * Which driver fits which USB device: the VID:PID tables of Linux's irda-usb (with its quirks),
 * stir4200, mcs7780, ks959-sir, kingsun-sir and ksdazzle-sir, plus the bridge class match
 * (interface class 0xFE, subclass 0x02).
 */
import type { DriverKind } from './driver.js'
import type { UsbDevice } from './usb-device.js'
import { vidPid } from './usb-device.js'

/** irda-usb quirk bits (Linux irda-usb.h IUC_*). */
export const Quirk = {
  /** Speed changes must not ride in a frame's header: sent alone after the frame completed. */
  SPEED_BUG: 0x01,
  /** Window size 1 only. */
  NO_WINDOW: 0x02,
  /** The device does not wait the turnaround: the host does. */
  NO_TURN: 0x04,
  /** SIR speeds only (baud bits &= 0xFF). */
  SIR_ONLY: 0x08,
  /** Data size at most 256 bytes. */
  SMALL_PKT: 0x10,
  /** Window bits 0x7F whatever the descriptor says. */
  MAX_WINDOW: 0x20,
  /** Always 48 XBOFs. */
  MAX_XBOFS: 0x40,
  /** SigmaTel STIr421x: 3-byte header, firmware patch at probe. */
  STIR421X: 0x80
} as const

export interface KnownDongle {
  vendorId: number
  productId: number
  driver: DriverKind
  name: string
  /** irda-usb quirks (bridge devices only). */
  quirks?: number
}

export const KNOWN_DONGLES: readonly KnownDongle[] = Object.freeze([
  { vendorId: 0x09c4, productId: 0x0011, driver: 'irda-usb', name: 'ACTiSYS ACT-IR2000U', quirks: Quirk.SPEED_BUG | Quirk.NO_WINDOW },
  { vendorId: 0x4428, productId: 0x0012, driver: 'irda-usb', name: 'IBM UltraPort IrDA', quirks: Quirk.SPEED_BUG | Quirk.NO_WINDOW },
  { vendorId: 0x050f, productId: 0x0180, driver: 'irda-usb', name: 'KC Technology KC-180', quirks: Quirk.SPEED_BUG | Quirk.NO_WINDOW },
  { vendorId: 0x08e9, productId: 0x0100, driver: 'irda-usb', name: 'Extended Systems ESI-9685', quirks: Quirk.SPEED_BUG | Quirk.NO_WINDOW },
  { vendorId: 0x066f, productId: 0x4210, driver: 'stir421x', name: 'SigmaTel STIr4210', quirks: Quirk.STIR421X | Quirk.SPEED_BUG },
  { vendorId: 0x066f, productId: 0x4220, driver: 'stir421x', name: 'SigmaTel STIr4220', quirks: Quirk.STIR421X | Quirk.SPEED_BUG },
  { vendorId: 0x066f, productId: 0x4116, driver: 'stir421x', name: 'SigmaTel STIr4116', quirks: Quirk.STIR421X | Quirk.SPEED_BUG },
  { vendorId: 0x066f, productId: 0x4200, driver: 'stir4200', name: 'SigmaTel STIr4200' },
  { vendorId: 0x9710, productId: 0x7780, driver: 'mcs7780', name: 'MosChip MCS7780' },
  { vendorId: 0x07d0, productId: 0x4959, driver: 'ks959', name: 'KingSun KS-959' },
  { vendorId: 0x07c0, productId: 0x4200, driver: 'kingsun', name: 'KingSun/DonShine' },
  // Linux's ksdazzle-sir knows 07d0:4100 only (linux-peer's USB.md said 4100..4104; the source does not).
  { vendorId: 0x07d0, productId: 0x4100, driver: 'ksdazzle', name: 'KingSun/Dazzle MA-660' }
])

export const BRIDGE_CLASS = 0xFE
export const BRIDGE_SUBCLASS = 0x02

/** The table entry for a VID:PID, if any. */
export const knownDongle = (vendorId: number, productId: number): KnownDongle | undefined =>
  KNOWN_DONGLES.find(k => k.vendorId === vendorId && k.productId === productId)

/** True if the device has a USB IrDA bridge class interface (FE/02). */
export const hasBridgeInterface = (d: UsbDevice): boolean =>
  (d.configuration?.interfaces ?? []).some(i => i.alternate.interfaceClass === BRIDGE_CLASS && i.alternate.interfaceSubclass === BRIDGE_SUBCLASS)

/** The driver that fits `d` (table first, then the class match), with its quirks and a name. */
export function matchDriver (d: UsbDevice): { driver: DriverKind, quirks: number, name: string } | undefined {
  const k = knownDongle(d.vendorId, d.productId)
  if (k !== undefined) return { driver: k.driver, quirks: k.quirks ?? 0, name: k.name }
  if (hasBridgeInterface(d)) return { driver: 'irda-usb', quirks: 0, name: d.productName ?? `USB IrDA bridge ${vidPid(d.vendorId, d.productId)}` }
  return undefined
}
