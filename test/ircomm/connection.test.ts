/*!
 * IrCOMM end to end between two stacks in a virtual room: IAS lookup and service-type
 * negotiation, the initial parameters byte for byte, every control parameter across, data both
 * ways, TinyTP credit as flow control, 3-wire raw over plain IrLMP with its window limit, the
 * legacy IrLPT entry, and hostile frames refused without harm.
 */
import { expect } from 'chai'
import { parseLmpPdu } from '@irdakit/lmp'
import type { IrdaStack } from '@irdakit/stack'
import {
  connectIrcomm, decodeCookedFrame, decodeParams, encodeCookedFrame, listenIrcomm, IrcommConnectError, LMP_LSAP_ATTRIBUTE, PORT_TYPE, queryIrcomm, RAW_WINDOW, SERVICE,
  type DceLines, type DteLines, type IrcommParam, type IrcommPort, type LineSettings,
} from '@irdakit/ircomm'
import { bytesOf, collect, pair, until } from './helpers.js'

/** LM data PDUs (TinyTP header included) one stack sends on user selectors. */
function lmData (stack: IrdaStack): Uint8Array[] {
  const out: Uint8Array[] = []
  stack.onFrame(rec => {
    if (rec.direction !== 'out' || rec.frame.length < 4 || (rec.frame[1] & 0x01) !== 0) return
    const pdu = parseLmpPdu(rec.frame.subarray(2))
    if (pdu.ok && pdu.value.kind === 'data' && pdu.value.dlsap !== 0 && pdu.value.slsap !== 0) out.push(pdu.value.data)
  })
  return out
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex')

async function connected (seed: number, services = SERVICE.THREE_WIRE | SERVICE.NINE_WIRE): Promise<{ p: ReturnType<typeof pair>, client: IrcommPort, server: IrcommPort, clientSent: Uint8Array[], serverSent: Uint8Array[] }> {
  const p = pair(seed)
  const clientSent = lmData(p.client)
  const serverSent = lmData(p.server)
  const accepted: IrcommPort[] = []
  listenIrcomm(p.server, { services }, port => accepted.push(port))
  const client = await p.room.run(connectIrcomm(p.client))
  await p.room.run(until(p.room, () => accepted.length === 1, 'accept'))
  return { p, client, server: accepted[0], clientSent, serverSent }
}

describe('ircomm/connection (two stacks, virtual room)', () => {
  it('picks 9-wire from IAS Parameters and opens with service type, rate, format, flow and DTE, byte for byte', async () => {
    const { p, client, server, clientSent, serverSent } = await connected(1801)
    expect(client.service).to.equal('9-wire')
    const settings: LineSettings[] = []
    const dte: DteLines[] = []
    server.on('settings', s => settings.push(s))
    server.on('dte', l => dte.push(l))
    await p.room.run(until(p.room, () => dte.length > 0, 'initial parameters'))
    // TinyTP data PDU: credit byte, then the cooked frame.
    expect(hex(clientSent[0].subarray(1))).to.equal('12' + '000104' + '100400002580' + '110103' + '120100' + '20010c')
    expect(server.service).to.equal('9-wire')
    expect(settings.at(-1)).to.include({ dataRate: 9600, dataFormat: 0x03, flowControl: 0 })
    expect(dte[0]).to.deep.equal({ dtr: true, rts: true })
    // The device answers with its DCE lines, no deltas.
    await p.room.run(until(p.room, () => serverSent.length > 0, 'server lines'))
    expect(hex(serverSent[0].subarray(1))).to.equal('032101b0')
    expect(client.peerLines).to.deep.equal({ cts: true, dsr: true, ri: false, cd: true })
  })

  it('carries data both ways exactly, each frame within one TinyTP PDU (SAR off)', async () => {
    const { p, client, server, clientSent } = await connected(1802)
    server.on('data', (c: Buffer) => server.write(c))
    const got = collect(client)
    const data = bytesOf(20_000)
    client.write(data)
    await p.room.run(until(p.room, () => got.length() >= data.length, 'echo', 600_000))
    expect(got.bytes().equals(data)).to.equal(true)
    const segment = p.client.lmp.maxDataSize() - 1
    for (const pdu of clientSent) expect(pdu.length - 1).to.be.at.most(segment)
    for (const pdu of clientSent.slice(1).filter(x => x.length > 1)) expect(decodeCookedFrame(pdu.subarray(1))?.control.length).to.equal(0)
  })

  it('delivers every control parameter end to end', async () => {
    const { p, client, server } = await connected(1803)
    const atServer: IrcommParam[] = []
    const atClient: IrcommParam[] = []
    server.on('param', x => atServer.push(x))
    client.on('param', x => atClient.push(x))
    await p.room.run(until(p.room, () => atServer.some(x => x.type === 'dte'), 'initial'))
    atServer.length = 0
    atClient.length = 0
    const dteChanges: Array<Array<keyof DteLines>> = []
    const lineChanges: Array<Array<keyof DceLines>> = []
    server.on('dte', (_l, changed) => dteChanges.push(changed))
    client.on('lines', (_l, changed) => lineChanges.push(changed))
    const breaks: number[] = []
    const status: number[] = []
    server.on('break', v => breaks.push(v))
    server.on('line-status', v => status.push(v))

    client.setSettings({ dataRate: 115200, dataFormat: 0x1A, flowControl: 0x0C, xonXoff: { xon: 0x11, xoff: 0x19 }, enqAck: { enq: 0x05, ack: 0x07 } })
    client.setDte({ dtr: false })
    client.sendBreak(1)
    client.sendLineStatus(0x08)
    client.poll()
    server.setDce({ ri: true })
    server.sendLineStatus(0x02)
    server.sendParams([{ type: 'port-name', name: 'COM3' }, { type: 'unknown', pi: 0x31, value: Uint8Array.of(7) }])
    await p.room.run(until(p.room, () => atServer.length >= 9 && atClient.length >= 5, 'parameters'))

    expect(atServer).to.deep.equal([
      { type: 'data-rate', bps: 115200 }, { type: 'data-format', value: 0x1A }, { type: 'flow-control', value: 0x0C },
      { type: 'xon-xoff', xon: 0x11, xoff: 0x19 }, { type: 'enq-ack', enq: 0x05, ack: 0x07 },
      { type: 'dte', value: 0x09 }, { type: 'break', value: 1 }, { type: 'line-status', value: 0x08 }, { type: 'poll' },
    ])
    expect(server.peerSettings).to.deep.include({ dataRate: 115200, dataFormat: 0x1A, flowControl: 0x0C })
    expect(dteChanges).to.deep.equal([['dtr']])
    expect(breaks).to.deep.equal([1])
    expect(status).to.deep.equal([0x08])
    // The device's RI with its delta, its line status, and its answer to the poll (lines, no deltas).
    expect(atClient.slice(0, 4)).to.deep.equal([
      { type: 'dce', value: 0xF4 }, { type: 'line-status', value: 0x02 }, { type: 'port-name', name: 'COM3' }, { type: 'unknown', pi: 0x31, value: Uint8Array.of(7) },
    ])
    expect(atClient[4]).to.deep.equal({ type: 'dce', value: 0xF0 })
    expect(lineChanges[0]).to.deep.equal(['ri'])
    expect(client.peerLines.ri).to.equal(true)
  })

  it('chooses 3-wire when that is all the device offers, and sends no lines', async () => {
    const { p, client, server, clientSent } = await connected(1804, SERVICE.THREE_WIRE)
    expect(client.service).to.equal('3-wire')
    client.setDte({ dtr: false })
    client.write('x')
    const got = collect(server)
    await p.room.run(until(p.room, () => got.length() === 1, 'data'))
    const params = clientSent.flatMap(pdu => decodeParams(decodeCookedFrame(pdu.subarray(1))?.control ?? new Uint8Array(0)).params)
    expect(params.map(x => x.type)).to.deep.equal(['service-type', 'data-rate', 'data-format', 'flow-control'])
    expect(params[0]).to.deep.equal({ type: 'service-type', value: SERVICE.THREE_WIRE })
  })

  it('reads the IAS Parameters a device registers: service types, port type and port name, and both selectors', async () => {
    const p = pair(1811)
    const srv = listenIrcomm(p.server, { services: SERVICE.RAW | SERVICE.THREE_WIRE | SERVICE.NINE_WIRE, portType: PORT_TYPE.PARALLEL, portName: 'LPT1' })
    await p.room.run(p.client.discover())
    const offer = await p.room.run(queryIrcomm(p.client, p.server.deviceAddress))
    expect(offer).to.deep.equal({
      services: 0x07, className: 'IrDA:IrCOMM', ttpLsap: srv.ttpLsap, lmpLsap: srv.lmpLsap,
      params: [{ type: 'service-type', value: 0x07 }, { type: 'port-type', value: PORT_TYPE.PARALLEL }, { type: 'port-name', name: 'LPT1' }],
    })
  })

  it('refuses a service type the device does not offer, with a clear error', async () => {
    const p = pair(1805)
    listenIrcomm(p.server, { services: SERVICE.NINE_WIRE })
    const err = await p.room.run(connectIrcomm(p.client, { service: '3-wire-raw' }).then(() => undefined, (e: unknown) => e))
    expect(err).to.be.instanceOf(IrcommConnectError)
    expect(String(err)).to.match(/offers IrCOMM service types 0x4, not 3-wire-raw/)
  })

  it('stops the sender by TinyTP credit while the reader pauses, and loses nothing', async () => {
    const { p, client, server } = await connected(1806)
    server.pause()
    // More than the receive window (16 PDUs) and the stream's own buffer together.
    const data = bytesOf(100_000, 7)
    client.write(data)
    await p.room.run(until(p.room, () => (client as unknown as { sock: { ttp: { sendCredit: number } } }).sock.ttp.sendCredit === 0, 'credit spent', 600_000))
    const serverSock = (server as unknown as { sock: { readableBytes: number, ttp: { rxWindow: number } } }).sock
    // What waits at the paused reader is bounded by its receive window.
    expect(serverSock.readableBytes).to.be.at.most(serverSock.ttp.rxWindow * p.server.lmp.maxDataSize())
    expect(client.session.queuedBytes).to.be.greaterThan(0)
    expect(server.readableLength).to.be.at.most(server.readableHighWaterMark + p.server.lmp.maxDataSize())
    const got = collect(server)
    server.resume()
    await p.room.run(until(p.room, () => got.length() >= data.length, 'resume', 600_000))
    expect(got.bytes().equals(data)).to.equal(true)
  })

  it('runs 3-wire raw over plain IrLMP, never more than RAW_WINDOW frames outstanding in IrLAP', async () => {
    // 256-byte frames: IrLAP's window is 7, and the stack alone would keep two windows (14) in IrLAP.
    const p = pair(1807, [9600, 115200], { dataSize: 256 })
    const accepted: IrcommPort[] = []
    const srv = listenIrcomm(p.server, { services: SERVICE.RAW }, port => accepted.push(port))
    expect(p.server.ias.findByClass('IrDA:IrCOMM')[0].attributes.get(LMP_LSAP_ATTRIBUTE)).to.deep.equal({ type: 'integer', value: srv.lmpLsap })
    const client = await p.room.run(connectIrcomm(p.client))
    expect(client.service).to.equal('3-wire-raw')
    let most = 0
    p.client.onFrame(() => { most = Math.max(most, p.client.station.pendingData) })
    const data = bytesOf(20_000, 3)
    client.write(data)
    await p.room.run(until(p.room, () => accepted.length === 1, 'accept'))
    const got = collect(accepted[0])
    accepted[0].on('data', (c: Buffer) => accepted[0].write(c))
    const back = collect(client)
    await p.room.run(until(p.room, () => back.length() >= data.length, 'raw echo', 600_000))
    expect(got.bytes().equals(data)).to.equal(true)
    expect(back.bytes().equals(data)).to.equal(true)
    expect(p.client.station.link?.txWindowSize).to.equal(7)
    expect(most).to.equal(RAW_WINDOW)
  })

  it('finds a legacy IrLPT entry and connects raw', async () => {
    const p = pair(1808)
    const accepted: IrcommPort[] = []
    listenIrcomm(p.server, { services: SERVICE.RAW, irlpt: true }, port => accepted.push(port))
    // Only the IrLPT class: drop the IrDA:IrCOMM object, as an old printer has none.
    p.server.ias.removeObject(p.server.ias.findByClass('IrDA:IrCOMM')[0].id)
    const client = await p.room.run(connectIrcomm(p.client))
    expect(client.service).to.equal('3-wire-raw')
    client.write('print me')
    await p.room.run(until(p.room, () => accepted.length === 1, 'accept'))
    const got = collect(accepted[0])
    await p.room.run(until(p.room, () => got.length() === 8, 'data'))
    expect(got.bytes().toString()).to.equal('print me')
  })

  it('counts and refuses hostile cooked frames, and the connection carries on', async () => {
    const p = pair(1809)
    const accepted: IrcommPort[] = []
    const srv = listenIrcomm(p.server, {}, port => accepted.push(port))
    const raw = await p.room.run(p.client.ttpConnect({ deviceAddress: p.server.deviceAddress, remoteLsap: srv.ttpLsap as number, maxSduSize: 0 }))
    await p.room.run(until(p.room, () => accepted.length === 1, 'accept'))
    const port = accepted[0]
    const refused: string[] = []
    port.on('refused', r => refused.push(r))
    const got = collect(port)
    raw.write(Uint8Array.of(0x09, 0x20, 0x01)) // clen past the end
    raw.write(Uint8Array.of(0x03, 0x10, 0x04, 0x00)) // a data rate cut short
    raw.write(Uint8Array.of(0x02, 0x22, 0x05, 0x61)) // poll with a length it cannot have, then data
    raw.write(Uint8Array.of(0x03, 0x81, 0x01, 0x00)) // an unknown critical parameter
    raw.write(encodeCookedFrame([], Buffer.from('still here')))
    await p.room.run(until(p.room, () => got.length() >= 11, 'data after junk'))
    expect(got.bytes().toString()).to.equal('astill here')
    expect(refused).to.have.length(3)
    expect(port.session.stats.malformed).to.equal(3)
    expect(port.session.stats.unknownCritical).to.equal(1)
  })

  it('ends the stream, without an error, when the peer hangs up', async () => {
    const { p, client, server } = await connected(1810)
    const errors: Error[] = []
    server.on('error', e => errors.push(e))
    let ended = false
    server.on('end', () => { ended = true })
    server.resume()
    client.end('bye')
    await p.room.run(until(p.room, () => ended && server.destroyed, 'end'))
    expect(errors).to.deep.equal([])
  })
})
