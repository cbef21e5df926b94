/*!
 * tshark judges the IrCOMM we send: a 9-wire session (IAS Parameters, initial parameters, every
 * control parameter, data) and a 3-wire raw one, captured at the laptop. Wireshark learns the
 * selectors from the IAS answers and dissects cooked frames (clen, control, data) and raw ones.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect } from 'chai'
import { connectIrcomm, listenIrcomm, SERVICE, type IrcommPort } from '@irdakit/ircomm'
import { expectCleanDecode, requireTshark } from '../helpers/tshark.js'
import { collect, pair, until } from './helpers.js'

describe('ircomm/tshark decodes our IrCOMM frames clean', function () {
  let dir: string
  beforeEach(function () { requireTshark(this); dir = mkdtempSync(join(tmpdir(), 'irdakit-ircomm-')) })
  afterEach(() => { if (dir !== undefined) rmSync(dir, { recursive: true, force: true }) })

  it('9-wire: IAS Parameters, the control channel and data', async () => {
    const p = pair(1821)
    const path = join(dir, 'nine.pcap')
    const cap = p.client.capture(path)
    const accepted: IrcommPort[] = []
    listenIrcomm(p.server, {}, port => { accepted.push(port); port.on('data', (c: Buffer) => port.write(c)) })
    const client = await p.room.run(connectIrcomm(p.client))
    client.setSettings({ dataRate: 19200, dataFormat: 0x1A, flowControl: 0x03, xonXoff: { xon: 0x11, xoff: 0x13 }, enqAck: { enq: 5, ack: 6 } })
    client.setDte({ rts: false })
    client.sendBreak(1)
    client.sendLineStatus(0x04)
    client.poll()
    const back = collect(client)
    client.write('AT+CGMI\r')
    await p.room.run(until(p.room, () => back.length() >= 8 && accepted.length === 1, 'echo'))
    accepted[0].setDce({ cd: false })
    client.end()
    await p.room.run(until(p.room, () => p.client.station.link === undefined, 'link down', 30_000))
    cap.close()
    const frames = expectCleanDecode(path)
    const ircomm = frames.filter(f => f.protocols.includes('ircomm'))
    expect(ircomm.length).to.be.greaterThan(3)
    const clens = ircomm.flatMap(f => f.fields['ircomm.control.len'] ?? [])
    expect(clens).to.include('18') // the initial parameters
    expect(frames.some(f => (f.fields['ircomm.parameter'] ?? []).length > 0)).to.equal(true) // IAS Parameters dissected
  })

  // Wireshark binds raw IrCOMM to a selector only from an IrLPT answer (its IrDA:IrCOMM table has
  // no IrDA:IrLMP:LsapSel), so the printer's legacy entry is what makes it dissect the data.
  it('3-wire raw over IrLMP, found through IrLPT', async () => {
    const p = pair(1822)
    const path = join(dir, 'raw.pcap')
    const cap = p.client.capture(path)
    listenIrcomm(p.server, { services: SERVICE.RAW, irlpt: true }, port => { port.on('data', (c: Buffer) => port.write(c)) })
    p.server.ias.removeObject(p.server.ias.findByClass('IrDA:IrCOMM')[0].id)
    const client = await p.room.run(connectIrcomm(p.client))
    const back = collect(client)
    client.write('raw bytes')
    await p.room.run(until(p.room, () => back.length() >= 9, 'echo'))
    client.end()
    await p.room.run(until(p.room, () => p.client.station.link === undefined, 'link down', 30_000))
    cap.close()
    const frames = expectCleanDecode(path)
    expect(frames.filter(f => f.protocols.includes('ircomm')).length).to.be.greaterThan(0)
  })
})
