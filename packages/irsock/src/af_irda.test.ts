import { expect } from 'chai'
import fc from 'fast-check'
import {
  AF_IRDA, SOL_IRLMP, IRLMP_ENUMDEVICES, IRLMP_IAS_SET, IRLMP_IAS_QUERY, IRLMP_SEND_PDU_LEN, IRLMP_9WIRE_MODE, IRLMP_SHARP_MODE,
  IAS_ATTRIB_INT, IAS_ATTRIB_OCTETSEQ, IAS_ATTRIB_STR, IAS_ATTRIB_NO_CLASS, IAS_ATTRIB_NO_ATTRIB,
  SOCKADDR_IRDA_SIZE, IAS_SET_SIZE, IAS_QUERY_SIZE, IRDA_DEVICE_INFO_SIZE,
  encodeSockaddrIrda, decodeSockaddrIrda, encodeDeviceList, decodeDeviceList, deviceListSize,
  encodeIasSet, decodeIasSet, encodeIasQuery, decodeIasQuery, deviceIdFromAddress, addressFromDeviceId,
  parseLsapSelName, StructError, type IasAttribute,
} from '@irdakit/irsock/af_irda'
import * as ws from '@irdakit/irsock/winsock'

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')
const name = (max: number): fc.Arbitrary<string> => fc.string({ unit: fc.integer({ min: 1, max: 255 }).map(c => String.fromCharCode(c)), maxLength: max })
const id = fc.uint8Array({ minLength: 4, maxLength: 4 })

describe('irsock/af_irda constants', () => {
  it('has the af_irda.h values', () => {
    expect([AF_IRDA, SOL_IRLMP, IRLMP_ENUMDEVICES, IRLMP_IAS_SET, IRLMP_IAS_QUERY, IRLMP_SEND_PDU_LEN, IRLMP_9WIRE_MODE, IRLMP_SHARP_MODE])
      .to.deep.equal([26, 0xFF, 0x10, 0x11, 0x12, 0x13, 0x16, 0x20])
    expect([IAS_ATTRIB_NO_CLASS, IAS_ATTRIB_NO_ATTRIB, IAS_ATTRIB_INT, IAS_ATTRIB_OCTETSEQ, IAS_ATTRIB_STR]).to.deep.equal([0x10, 0, 1, 2, 3])
    expect([SOCKADDR_IRDA_SIZE, IRDA_DEVICE_INFO_SIZE, IAS_SET_SIZE, IAS_QUERY_SIZE]).to.deep.equal([32, 29, 1352, 1356])
  })
  it('has the Winsock values', () => {
    expect(ws.WSAECONNREFUSED).to.equal(10061)
    expect(ws.WSANOTINITIALISED).to.equal(10093)
    expect(ws.WSAEPROVIDERFAILEDINIT).to.equal(10106)
    expect([ws.SOCKET_ERROR, ws.SOMAXCONN, ws.SOCK_STREAM, ws.SD_RECEIVE, ws.SD_SEND, ws.SD_BOTH]).to.deep.equal([-1, 0x7fffffff, 1, 0, 1, 2])
    expect([ws.FIONBIO, ws.FIONREAD, ws.SOL_SOCKET, ws.SO_LINGER, ws.SO_DONTLINGER]).to.deep.equal([0x8004667E, 0x4004667F, 0xFFFF, 0x80, 0xFFFFFF7F])
    for (const [k, v] of Object.entries(ws)) if (/^WSA(E|SYS|VER|NOT)/.test(k)) expect(ws.WSA_ERROR_NAMES[v as number], k).to.equal(k)
  })
})

describe('irsock/af_irda SOCKADDR_IRDA', () => {
  it('matches a fixture byte for byte', () => {
    const b = encodeSockaddrIrda({ family: AF_IRDA, deviceId: Uint8Array.of(0x78, 0x56, 0x34, 0x12), serviceName: 'SampleIrDAService' })
    expect(hex(b)).to.equal('1a00' + '78563412' + Buffer.from('SampleIrDAService').toString('hex') + '00'.repeat(8) + '00')
    expect(b.length).to.equal(32)
    expect(addressFromDeviceId(b.subarray(2, 6))).to.equal(0x12345678)
    expect(hex(deviceIdFromAddress(0x12345678))).to.equal('78563412')
  })
  it('round-trips', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 0xFFFF }), id, name(24), (family, deviceId, serviceName) => {
      const d = decodeSockaddrIrda(encodeSockaddrIrda({ family, deviceId, serviceName }))
      expect(d).to.deep.equal({ family, deviceId, serviceName, terminated: true })
    }))
  })
  it('reports a 25-character name without NUL and rejects short buffers', () => {
    const d = decodeSockaddrIrda(encodeSockaddrIrda({ family: AF_IRDA, deviceId: new Uint8Array(4), serviceName: 'x'.repeat(25) }))
    expect(d.terminated).to.equal(false)
    expect(() => decodeSockaddrIrda(new Uint8Array(31))).to.throw(StructError)
  })
  it('parses LSAP-SELxxx names', () => {
    expect(parseLsapSelName('LSAP-SEL1')).to.equal(1)
    expect(parseLsapSelName('LSAP-SEL127')).to.equal(127)
    expect(parseLsapSelName('LSAP-SEL0')).to.equal(undefined)
    expect(parseLsapSelName('LSAP-SEL128')).to.equal(undefined)
    expect(parseLsapSelName('OBEX')).to.equal(undefined)
  })
})

describe('irsock/af_irda DEVICELIST', () => {
  it('matches a fixture: 4-byte count, then 29 bytes per device', () => {
    const b = encodeDeviceList([{ deviceId: Uint8Array.of(1, 2, 3, 4), deviceName: 'Aladin', hints1: 0x84, hints2: 0x04, charSet: 0 }])
    expect(b.length).to.equal(deviceListSize(1)).and.equal(33)
    expect(hex(b)).to.equal('01000000' + '01020304' + Buffer.from('Aladin').toString('hex') + '00'.repeat(16) + '840400')
  })
  it('round-trips', () => {
    const dev = fc.record({ deviceId: id, deviceName: name(22), hints1: fc.integer({ min: 0, max: 255 }), hints2: fc.integer({ min: 0, max: 255 }), charSet: fc.integer({ min: 0, max: 255 }) })
    fc.assert(fc.property(fc.array(dev, { maxLength: 12 }), devs => {
      const b = encodeDeviceList(devs)
      expect(b.length).to.equal(4 + 29 * devs.length)
      expect(decodeDeviceList(b)).to.deep.equal(devs)
    }))
  })
})

const attrib: fc.Arbitrary<IasAttribute> = fc.oneof(
  fc.integer({ min: -0x80000000, max: 0x7FFFFFFF }).map(value => ({ type: IAS_ATTRIB_INT, value }) as IasAttribute),
  fc.uint8Array({ maxLength: 1024 }).map(value => ({ type: IAS_ATTRIB_OCTETSEQ, value }) as IasAttribute),
  fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 255 })).map(([charSet, value]) => ({ type: IAS_ATTRIB_STR, charSet, value }) as IasAttribute),
)

describe('irsock/af_irda IAS_SET and IAS_QUERY', () => {
  it('IAS_SET fixture: class@0, attrib@64, type@320, u16 Len@324, bytes@326', () => {
    const b = encodeIasSet({ className: 'MyServer', attribName: 'Params', attrib: { type: IAS_ATTRIB_OCTETSEQ, value: Uint8Array.of(0xAA, 0xBB) } })
    expect(b.length).to.equal(1352)
    expect(hex(b.subarray(0, 9))).to.equal(Buffer.from('MyServer\0').toString('hex'))
    expect(hex(b.subarray(64, 71))).to.equal(Buffer.from('Params\0').toString('hex'))
    expect(hex(b.subarray(320, 328))).to.equal('02000000' + '0200' + 'aabb')
    const s = encodeIasSet({ className: 'C', attribName: 'A', attrib: { type: IAS_ATTRIB_STR, charSet: 1, value: Uint8Array.of(0x41) } })
    expect(hex(s.subarray(320, 327))).to.equal('03000000' + '01' + '01' + '41')
  })
  it('IAS_QUERY fixture: id@0, class@4, attrib@68, type@324, u32 Len@328, bytes@332; string: u32 Len, u32 CharSet, bytes@336', () => {
    const b = encodeIasQuery({ deviceId: Uint8Array.of(9, 8, 7, 6), className: 'IrDA:IrCOMM', attribName: 'Parameters', attrib: { type: IAS_ATTRIB_OCTETSEQ, value: Uint8Array.of(0, 1, 4) } })
    expect(b.length).to.equal(1356)
    expect(hex(b.subarray(0, 4))).to.equal('09080706')
    expect(hex(b.subarray(4, 16))).to.equal(Buffer.from('IrDA:IrCOMM\0').toString('hex'))
    expect(hex(b.subarray(68, 79))).to.equal(Buffer.from('Parameters\0').toString('hex'))
    expect(hex(b.subarray(324, 335))).to.equal('02000000' + '03000000' + '000104')
    const s = encodeIasQuery({ deviceId: new Uint8Array(4), className: 'C', attribName: 'A', attrib: { type: IAS_ATTRIB_STR, charSet: 0xFF, value: Uint8Array.of(0, 0x41) } })
    expect(hex(s.subarray(324, 338))).to.equal('03000000' + '02000000' + 'ff000000' + '0041')
    const i = encodeIasQuery({ deviceId: new Uint8Array(4), className: 'C', attribName: 'A', attrib: { type: IAS_ATTRIB_INT, value: -2 } })
    expect(hex(i.subarray(324, 332))).to.equal('01000000' + 'feffffff')
  })
  it('round-trips IAS_SET', () => {
    fc.assert(fc.property(name(63), name(255), attrib, (className, attribName, a) => {
      expect(decodeIasSet(encodeIasSet({ className, attribName, attrib: a }))).to.deep.equal({ className, attribName, attrib: a })
    }), { numRuns: 50 })
  })
  it('round-trips IAS_QUERY, including "no such class/attribute"', () => {
    const q = fc.oneof(attrib, fc.constant({ type: IAS_ATTRIB_NO_CLASS } as IasAttribute), fc.constant({ type: IAS_ATTRIB_NO_ATTRIB } as IasAttribute))
    fc.assert(fc.property(id, name(63), name(255), q, (deviceId, className, attribName, a) => {
      expect(decodeIasQuery(encodeIasQuery({ deviceId, className, attribName, attrib: a }))).to.deep.equal({ deviceId, className, attribName, attrib: a })
    }), { numRuns: 50 })
  })
})
