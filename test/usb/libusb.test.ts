import { expect } from 'chai'
import { listUsbDevices, mapOpenError, matchDriver, NoSuchUsbDeviceError, openUsbDevice, parseUsbSelector, UsbBackendMissingError, UsbDeviceBusyError, UsbPermissionError, usbBackend, type UsbDevice } from '@irdakit/usb'

describe('usb/libusb adapter and device matching', () => {
  it('--usb takes vid:pid in hex or an index, and says what it wants otherwise', () => {
    expect(parseUsbSelector('9710:7780')).to.deep.equal({ vendorId: 0x9710, productId: 0x7780 })
    expect(parseUsbSelector('066F:4210')).to.deep.equal({ vendorId: 0x066f, productId: 0x4210 })
    expect(parseUsbSelector('2')).to.deep.equal({ index: 2 })
    expect(() => parseUsbSelector('/dev/ttyUSB0')).to.throw(NoSuchUsbDeviceError, /vid:pid/)
  })

  it('matches drivers by the VID:PID table first, then by the bridge class interface', () => {
    const dev = (vendorId: number, productId: number, cls = 0xFF): UsbDevice => ({ vendorId, productId, configuration: { configurationValue: 1, interfaces: [{ interfaceNumber: 0, alternate: { interfaceClass: cls, interfaceSubclass: 2, interfaceProtocol: 0, endpoints: [] } }] } }) as unknown as UsbDevice
    expect(matchDriver(dev(0x9710, 0x7780))?.driver).to.equal('mcs7780')
    expect(matchDriver(dev(0x066f, 0x4200))?.driver).to.equal('stir4200')
    expect(matchDriver(dev(0x066f, 0x4210))).to.include({ driver: 'stir421x', quirks: 0x81 })
    expect(matchDriver(dev(0x09c4, 0x0011))).to.include({ driver: 'irda-usb', quirks: 0x03 })
    expect(matchDriver(dev(0x1234, 0x4949, 0xFE))?.driver).to.equal('irda-usb')
    expect(matchDriver(dev(0x1234, 0x4949))).to.equal(undefined)
    // Linux's ksdazzle-sir binds 07d0:4100 alone; a neighbour's id is not taken for a Dazzle.
    expect(matchDriver(dev(0x07d0, 0x4100))?.driver).to.equal('ksdazzle')
    expect(matchDriver(dev(0x07d0, 0x4101))).to.equal(undefined)
  })

  it('libusb\'s refusals say what to do: access names the udev rule, busy the other driver; other errors pass through', () => {
    // node-usb's messages for libusb_open / libusb_claim_interface failures.
    const access = mapOpenError('9710:7780', new Error('LIBUSB_ERROR_ACCESS'))
    expect(access).to.be.instanceOf(UsbPermissionError)
    expect(access.message).to.match(/^9710:7780: permission denied .*hardware\/udev\/60-irdakit-usb\.rules/)
    const busy = mapOpenError('9710:7780', new Error('LIBUSB_ERROR_BUSY'))
    expect(busy).to.be.instanceOf(UsbDeviceBusyError)
    expect(busy.message).to.match(/claimed by another driver or program .*rmmod/)
    const io = new Error('LIBUSB_ERROR_IO')
    expect(mapOpenError('9710:7780', io)).to.equal(io)
    expect(new UsbBackendMissingError(new Error("Cannot find package 'usb'")).message).to.match(/Install it with: npm install usb$/)
  })

  it('the usb backend loads from its prebuilt binary; with no such device present, opening says so', async function () {
    try { await usbBackend() } catch (e) { this.skip() }
    expect(await listUsbDevices()).to.be.an('array')
    let err: unknown
    try { await openUsbDevice('ffff:fffe') } catch (e) { err = e }
    expect(err).to.be.instanceOf(NoSuchUsbDeviceError)
  })
})
