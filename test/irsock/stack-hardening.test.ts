/*!
 * Issue 13's stack-level defects as a Winsock program sees them: each test failed before the
 * fix in the stack (see test/stack/hardening.test.ts for the stack's side).
 */
import { expect } from 'chai'
import { emitFrame } from '@irdakit/lap'
import { ConnectionError, IrdaStack } from '@irdakit/stack'
import { once } from 'node:events'
import { connect, createIrSock, createServer, enumDevices, IrSockError, type IrSocket } from '@irdakit/irsock'
import {
  AF_IRDA, SOL_IRLMP, IRLMP_ENUMDEVICES, IRLMP_IAS_QUERY, IRLMP_IRLPT_MODE, IAS_ATTRIB_NO_ATTRIB, IAS_ATTRIB_STR,
  decodeDeviceList, decodeIasQuery, deviceIdFromAddress, deviceListSize, encodeIasQuery, encodeSockaddrIrda,
} from '@irdakit/irsock/af_irda'
import * as W from '@irdakit/irsock/winsock'
import { pair } from '../helpers/irsock.js'

const addr = (device: number, service: string): Uint8Array => encodeSockaddrIrda({ family: AF_IRDA, deviceId: deviceIdFromAddress(device), serviceName: service })

describe('irsock/stack hardening (issue 13)', () => {
  it('an IRLMP_IRLPT_MODE connect to a TinyTP listener\'s LSAP-SELxx is refused (WSAECONNREFUSED), and the listener lives on', async () => {
    const p = pair(301)
    const ls = p.B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.B.bind(ls, addr(0, 'Echo'))).to.equal(0)
    expect(p.B.listen(ls, 2)).to.equal(0)
    const lsap = p.b.ias.findByClass('Echo')[0].attributes.get('IrDA:TinyTP:LsapSel') as { value: number }
    const c = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.A.setsockopt(c, SOL_IRLMP, IRLMP_IRLPT_MODE, Uint8Array.of(1, 0, 0, 0))).to.equal(0)
    expect(await p.room.run(p.A.connect(c, addr(p.b.deviceAddress, `LSAP-SEL${lsap.value}`)))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAECONNREFUSED)
    expect(p.b.stats().stack.badTtpConnects).to.equal(1)
    const c2 = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const [acc, r] = await p.room.run(Promise.all([p.B.accept(ls), p.A.connect(c2, addr(p.b.deviceAddress, 'Echo'))]))
    expect(r).to.equal(0)
    expect(acc).to.not.equal(W.INVALID_SOCKET)
  })

  for (const device of [0, 0xFFFFFFFF]) {
    it(`a connect to device 0x${device.toString(16)} is WSAEADDRNOTAVAIL and wedges nothing`, async () => {
      const p = pair(302)
      const ls = p.B.socket(AF_IRDA, W.SOCK_STREAM, 0)
      expect(p.B.bind(ls, addr(0, 'Echo'))).to.equal(0)
      expect(p.B.listen(ls, 2)).to.equal(0)
      const c = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
      expect(await p.room.run(p.A.connect(c, addr(device, 'Echo')))).to.equal(W.SOCKET_ERROR)
      expect(p.A.WSAGetLastError()).to.equal(W.WSAEADDRNOTAVAIL)
      expect(p.A.closesocket(c)).to.equal(0)
      const c2 = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
      const [, r] = await p.room.run(Promise.all([p.B.accept(ls), p.A.connect(c2, addr(p.b.deviceAddress, 'Echo'))]))
      expect(r).to.equal(0)
      await p.room.run(p.a.close())
    })
  }

  it('a Node API connect to device 0, 0xFFFFFFFF or a non-address is WSAEADDRNOTAVAIL (was WSAECONNABORTED), and the next connect works', async () => {
    const p = pair(308)
    const server = createServer(p.b, s => { s.pipe(s) })
    server.listen({ service: 'Echo' })
    await p.room.run(once(server, 'listening'))
    for (const deviceAddress of [0, 0xFFFFFFFF, -1, 1.5, 2 ** 32]) {
      for (const service of ['Echo', 'LSAP-SEL5']) { // an IAS lookup first, or the TinyTP connect at once
        const c = connect(p.a, { service, deviceAddress })
        const [err] = await p.room.run(once(c, 'error')) as [IrSockError]
        expect(err, `${deviceAddress} ${service}`).to.be.instanceOf(IrSockError)
        expect([err.code, err.syscall], `${deviceAddress} ${service}: ${err.message}`).to.deep.equal(['WSAEADDRNOTAVAIL', 'connect'])
        // The message names the address as given (2**32 is not 0x00000000, -1 not 0xffffffff).
        if (deviceAddress < 0 || deviceAddress > 0xFFFFFFFF || !Number.isInteger(deviceAddress)) {
          expect(err.message).to.include(String(deviceAddress))
          expect(err.message).to.not.match(/0x[0-9a-f]{8}/)
        }
      }
    }
    const c = connect(p.a, { service: 'Echo', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c, 'connect'))
    c.write(Uint8Array.of(4, 5, 6))
    const [echoed] = await p.room.run(once(c, 'data')) as [Buffer]
    expect([...echoed]).to.deep.equal([4, 5, 6])
    c.destroy()
    await p.room.run(p.a.close())
  })

  it('a Node API connect or enumDevices passes on a bug inside discovery instead of calling it "nobody there"', async () => {
    const p = pair(310)
    p.a.runDiscovery = async () => { throw new TypeError('a bug inside the stack') }
    const c = connect(p.a, { service: 'Echo' })
    const [err] = await p.room.run(once(c, 'error')) as [Error]
    expect(err).to.be.instanceOf(TypeError) // was WSAETIMEDOUT, 'no device answered discovery'
    let thrown: unknown
    await p.room.run(enumDevices(p.a)).catch((e: unknown) => { thrown = e })
    expect(thrown).to.be.instanceOf(TypeError) // was an empty list
  })

  it('a bad TinyTP connect to a Node API server is refused on the wire and counted, and the server lives on', async () => {
    const p = pair(309)
    const server = createServer(p.b, s => { s.pipe(s) })
    server.listen({ service: 'Echo' })
    await p.room.run(once(server, 'listening'))
    const lsap = p.b.ias.findByClass('Echo')[0].attributes.get('IrDA:TinyTP:LsapSel') as { value: number }
    for (const userData of [new Uint8Array(0), Uint8Array.of(0x80 | 4, 0x05)]) {
      const refused = await p.room.run(p.a.lmpConnect({ deviceAddress: p.b.deviceAddress, remoteLsap: lsap.value, userData })).then(() => undefined, (e: unknown) => e)
      expect(refused).to.be.instanceOf(ConnectionError)
      expect((refused as ConnectionError).reason).to.equal(0xFF)
    }
    expect(p.b.stats().stack.badTtpConnects).to.equal(2)
    const c = connect(p.a, { service: 'Echo', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c, 'connect'))
    c.write(Uint8Array.of(1, 2))
    const [echoed] = await p.room.run(once(c, 'data')) as [Buffer]
    expect([...echoed]).to.deep.equal([1, 2])
    c.destroy()
    await p.room.run(p.a.close())
  })

  it('IRLMP_IAS_QUERY with device ID FF FF FF FF or 00 00 00 00 is WSAEADDRNOTAVAIL, and the next query works', async () => {
    const p = pair(307)
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    for (const device of [0xFFFFFFFF, 0, p.b.deviceAddress]) {
      const q = encodeIasQuery({ deviceId: deviceIdFromAddress(device), className: 'Device', attribName: 'DeviceName', attrib: { type: IAS_ATTRIB_NO_ATTRIB } })
      const r = await p.room.run(p.A.getsockopt(s, SOL_IRLMP, IRLMP_IAS_QUERY, q))
      if (device !== p.b.deviceAddress) {
        expect([r, p.A.WSAGetLastError()]).to.deep.equal([W.SOCKET_ERROR, W.WSAEADDRNOTAVAIL])
      } else {
        expect(r).to.equal(0)
        expect(decodeIasQuery(q).attrib.type).to.equal(IAS_ATTRIB_STR)
      }
    }
    expect(p.A.closesocket(s)).to.equal(0)
    await p.room.run(p.a.close())
  })

  it('a connect right after an exchange with another device succeeds during IrLMP\'s idle-link hold', async () => {
    const p = pair(303)
    const c3 = IrdaStack.create({ port: p.room.port('C', { supportedSpeeds: [9600, 115200] }), nickname: 'third', seed: 3033 })
    const C = createIrSock(c3)
    expect(C.WSAStartup(0x0202)).to.equal(0)
    const ls = C.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(C.bind(ls, addr(0, 'Echo'))).to.equal(0)
    expect(C.listen(ls, 2)).to.equal(0)
    await p.room.run(p.a.iasQuery(p.b.deviceAddress, 'Device', 'DeviceName'))
    const c = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const [, r] = await p.room.run(Promise.all([C.accept(ls), p.A.connect(c, addr(c3.deviceAddress, 'Echo'))]))
    expect(r, `error ${p.A.WSAGetLastError()}`).to.equal(0)
  })

  it('closing the stack under a connected socket is WSAECONNABORTED for recv, not the end of data', async () => {
    const p = pair(304)
    const ls = p.B.socket(AF_IRDA, W.SOCK_STREAM, 0)
    expect(p.B.bind(ls, addr(0, 'Echo'))).to.equal(0)
    expect(p.B.listen(ls, 2)).to.equal(0)
    const c = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const [acc, r] = await p.room.run(Promise.all([p.B.accept(ls), p.A.connect(c, addr(p.b.deviceAddress, 'Echo'))]))
    expect(r).to.equal(0)
    expect(await p.room.run(p.A.send(c, Uint8Array.of(1, 2, 3)))).to.equal(3)
    await p.room.run(p.a.close())
    expect(await p.room.run(p.A.recv(c, new Uint8Array(16)))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAECONNABORTED)
    // The peer got everything, then the orderly close.
    const buf = new Uint8Array(16)
    expect(await p.room.run(p.B.recv(acc, buf))).to.equal(3)
    expect(await p.room.run(p.B.recv(acc, buf))).to.equal(0)
  })

  it('closing the stack under a Node socket emits an error (WSAECONNABORTED), never a plain end', async () => {
    const p = pair(306)
    let peer: IrSocket | undefined
    const server = createServer(p.b, s => { peer = s })
    server.listen({ service: 'Sink' })
    await p.room.run(once(server, 'listening'))
    const c = connect(p.a, { service: 'Sink', deviceAddress: p.b.deviceAddress })
    await p.room.run(once(c, 'connect'))
    let ended = false
    c.on('end', () => { ended = true })
    const failed = once(c, 'error') as Promise<[unknown]>
    c.resume()
    await p.room.run(p.a.close())
    const [err] = await p.room.run(failed)
    expect(err).to.be.instanceOf(IrSockError)
    expect((err as IrSockError).errno).to.equal(W.WSAECONNABORTED)
    expect(ended).to.equal(false)
    expect(peer).to.not.equal(undefined)
  })

  it('IRLMP_ENUMDEVICES on a medium held busy is WSAEWOULDBLOCK (try again), not an empty list', async () => {
    const p = pair(305)
    const jammer = p.room.port('J')
    // A station that never stops talking: back-to-back UI frames for about 20 s at 9600 b/s.
    for (let i = 0; i < 300; i++) jammer.send(emitFrame({ kind: 'UI', caddr: 0x7F, command: true, pf: false, info: new Uint8Array(60) }))
    const s = p.A.socket(AF_IRDA, W.SOCK_STREAM, 0)
    const list = new Uint8Array(deviceListSize(4))
    expect(await p.room.run(p.A.getsockopt(s, SOL_IRLMP, IRLMP_ENUMDEVICES, list))).to.equal(W.SOCKET_ERROR)
    expect(p.A.WSAGetLastError()).to.equal(W.WSAEWOULDBLOCK)
    expect((await p.room.run(p.a.runDiscovery())).status).to.equal('media-busy')
    // Once it is quiet, the same call finds the server.
    await p.room.run(new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + 20_000, resolve)))
    expect(await p.room.run(p.A.getsockopt(s, SOL_IRLMP, IRLMP_ENUMDEVICES, list))).to.equal(0)
    expect(decodeDeviceList(list).map(d => d.deviceName)).to.deep.equal(['server'])
  })

  it('the Node API says WSAEWOULDBLOCK too on a medium held busy: enumDevices rejects, connect without an address fails with it', async () => {
    const jammed = (seed: number): ReturnType<typeof pair> => {
      const p = pair(seed)
      const jammer = p.room.port('J')
      for (let i = 0; i < 300; i++) jammer.send(emitFrame({ kind: 'UI', caddr: 0x7F, command: true, pf: false, info: new Uint8Array(60) }))
      return p
    }
    const q = jammed(307)
    createServer(q.b, () => {}).listen({ service: 'Echo' })
    const c = connect(q.a, { service: 'Echo' })
    const [cerr] = await q.room.run(once(c, 'error') as Promise<[unknown]>)
    expect(cerr).to.be.instanceOf(IrSockError)
    expect((cerr as IrSockError).code).to.equal('WSAEWOULDBLOCK')
    expect((cerr as IrSockError).syscall).to.equal('connect')
    const p = jammed(306)
    const err = await p.room.run(enumDevices(p.a).then(() => undefined, (e: unknown) => e))
    expect(err).to.be.instanceOf(IrSockError)
    expect((err as IrSockError).code).to.equal('WSAEWOULDBLOCK')
    expect((err as IrSockError).syscall).to.equal('enumDevices')
    // Once it is quiet, the same call finds the server; nobody at all is still an empty list.
    await p.room.run(new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + 20_000, resolve)))
    expect((await p.room.run(enumDevices(p.a))).map(d => d.name)).to.deep.equal(['server'])
    await p.room.run(p.b.close())
    await p.room.run(new Promise<void>(resolve => p.room.clock.setTimer(p.room.clock.now() + 60_000, resolve)))
    expect(await p.room.run(enumDevices(p.a))).to.deep.equal([])
  })
})
