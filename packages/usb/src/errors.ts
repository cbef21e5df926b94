/*! Typed errors of @irdakit/usb: misuse is Local, a device that fails or vanishes is a LinkError. */
import { IrdaError, LinkError, LocalProtocolError } from '@irdakit/core'

/** The optional `usb` package (libusb) is not installed or its native part did not load. */
export class UsbBackendMissingError extends IrdaError {
  static override name = 'UsbBackendMissingError'
  constructor (cause: unknown) {
    super(`USB dongles need the optional "usb" package (libusb with prebuilt binaries), which did not load: ${cause instanceof Error ? cause.message : String(cause)}. Install it with: npm install usb`, { cause })
  }
}

/** No device matched `--usb <vid:pid|index>`. */
export class NoSuchUsbDeviceError extends LocalProtocolError {
  static override name = 'NoSuchUsbDeviceError'
}

/** The operating system refused access to the device (Linux: no udev rule). */
export class UsbPermissionError extends LinkError {
  static override name = 'UsbPermissionError'
  constructor (readonly device: string, cause: unknown) {
    super(`${device}: permission denied opening the USB device. On Linux install the udev rule: sudo cp hardware/udev/60-irdakit-usb.rules /etc/udev/rules.d/ && sudo udevadm control --reload && sudo udevadm trigger (then replug the dongle)`, { cause })
  }
}

/** Another driver (a kernel module, another program) holds the device's interface. */
export class UsbDeviceBusyError extends LinkError {
  static override name = 'UsbDeviceBusyError'
  constructor (readonly device: string, cause: unknown) {
    super(`${device}: the USB interface is claimed by another driver or program (on Linux old kernels bind irda-usb/stir4200/mcs7780/...: rmmod it, or close the other program)`, { cause })
  }
}

/** The device answered a transfer in a way its driver cannot use (stall, short reply, bad descriptor). */
export class UsbDeviceError extends LinkError {
  static override name = 'UsbDeviceError'
}

/** The STIr421x firmware patch was not supplied, or does not fit the device. */
export class FirmwareError extends LocalProtocolError {
  static override name = 'FirmwareError'
}

/** The port is closed (by request or because the device vanished). */
export class UsbPortClosedError extends LinkError {
  static override name = 'UsbPortClosedError'
}

/** The speed is not one this dongle supports. */
export class UsbUnsupportedSpeedError extends LocalProtocolError {
  static override name = 'UsbUnsupportedSpeedError'
  constructor (readonly bps: number, readonly supported: readonly number[]) {
    super(`speed ${bps} bit/s is not supported by this dongle; supported: ${supported.join(', ')}`)
  }
}
