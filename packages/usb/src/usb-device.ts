/*!
 * The USB device the drivers are coded against: the shape of the W3C WebUSB `USBDevice` (only
 * the parts IrDA dongles need), so node-usb's `WebUSBDevice` fits it as it is, and so do the
 * device models in `models/`. One addition: `onDisconnect`, because WebUSB reports unplugging
 * on `navigator.usb`, not on the device.
 */

export type UsbDirection = 'in' | 'out'
/** WebUSB's BufferSource (the DOM lib is not loaded here). */
export type UsbBufferSource = ArrayBufferView | ArrayBuffer
export type UsbTransferStatus = 'ok' | 'stall' | 'babble'

/** The setup packet of a control transfer, minus length (WebUSB `USBControlTransferParameters`). */
export interface UsbControlSetup {
  requestType: 'standard' | 'class' | 'vendor'
  recipient: 'device' | 'interface' | 'endpoint' | 'other'
  request: number
  value: number
  index: number
}

export interface UsbInResult { data?: DataView, status: UsbTransferStatus }
export interface UsbOutResult { bytesWritten: number, status: UsbTransferStatus }

export interface UsbEndpointInfo {
  endpointNumber: number
  direction: UsbDirection
  type: 'bulk' | 'interrupt' | 'isochronous'
  packetSize: number
}

export interface UsbInterfaceInfo {
  interfaceNumber: number
  alternate: {
    interfaceClass: number
    interfaceSubclass: number
    interfaceProtocol: number
    endpoints: UsbEndpointInfo[]
  }
}

export interface UsbConfigurationInfo {
  configurationValue: number
  interfaces: UsbInterfaceInfo[]
}

/** A USB device, WebUSB-shaped. Transfers on an unplugged device reject. */
export interface UsbDevice {
  readonly vendorId: number
  readonly productId: number
  /** bcdDevice, split as WebUSB does (major.minor.subminor = 0xJJMS). */
  readonly deviceVersionMajor: number
  readonly deviceVersionMinor: number
  readonly deviceVersionSubminor: number
  readonly productName?: string | undefined
  readonly manufacturerName?: string | undefined
  readonly configuration: UsbConfigurationInfo | null | undefined
  readonly opened: boolean
  open(): Promise<void>
  close(): Promise<void>
  selectConfiguration(value: number): Promise<void>
  claimInterface(interfaceNumber: number): Promise<void>
  releaseInterface(interfaceNumber: number): Promise<void>
  controlTransferIn(setup: UsbControlSetup, length: number): Promise<UsbInResult>
  controlTransferOut(setup: UsbControlSetup, data?: UsbBufferSource): Promise<UsbOutResult>
  clearHalt(direction: UsbDirection, endpointNumber: number): Promise<void>
  /** Bulk or interrupt IN; resolves when the device sends something (a held request waits). */
  transferIn(endpointNumber: number, length: number): Promise<UsbInResult>
  transferOut(endpointNumber: number, data: UsbBufferSource): Promise<UsbOutResult>
  /** irdakit's addition: called once when the device goes away. Returns an unsubscribe function. */
  onDisconnect?(listener: (error: Error) => void): () => void
}

/** bcdDevice as one number (0x0100 for 1.00), from WebUSB's split fields. */
export function bcdDevice (d: UsbDevice): number {
  return ((d.deviceVersionMajor & 0xFF) << 8) | ((d.deviceVersionMinor & 0xF) << 4) | (d.deviceVersionSubminor & 0xF)
}

/** The bytes of an IN result (empty when there are none). */
export function bytesOf (r: UsbInResult): Uint8Array {
  const v = r.data
  return v === undefined ? new Uint8Array(0) : new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
}

/** `vvvv:pppp`, lower-case hex, as lsusb prints it. */
export const vidPid = (vendorId: number, productId: number): string =>
  `${vendorId.toString(16).padStart(4, '0')}:${productId.toString(16).padStart(4, '0')}`
