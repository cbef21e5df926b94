/*! The emulated devices: the AT phone's interpreter, the phone and the MCP2150 instrument over IrCOMM in a virtual room. */
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { AtPhone, connectIrcomm, emulateMcp2150, emulatePhone, MAX_LINE, MCP2150_NICKNAME, type IrcommParam } from '@irdakit/ircomm'
import { collect, until } from './helpers.js'

const say = (phone: AtPhone, s: string): string => phone.input(Buffer.from(s))

describe('ircomm/AT phone interpreter', () => {
  it('identifies itself as gammu asks, with echo as a modem has it', () => {
    const phone = new AtPhone({ identity: { manufacturer: 'Nokia', model: '6210', revision: 'V 5.27', imei: '490154203237518' } })
    expect(say(phone, 'AT+CGMI\r')).to.equal('AT+CGMI\r\r\nNokia\r\n\r\nOK\r\n')
    expect(say(phone, 'ATE0\r')).to.equal('ATE0\r\r\nOK\r\n')
    expect(say(phone, 'AT+CGMM\r')).to.equal('\r\n6210\r\n\r\nOK\r\n')
    expect(say(phone, 'AT+CGMR\r\n')).to.equal('\r\nV 5.27\r\n\r\nOK\r\n')
    expect(say(phone, 'at+cgsn\r')).to.equal('\r\n490154203237518\r\n\r\nOK\r\n')
    expect(say(phone, 'ATI\r')).to.equal('\r\nNokia 6210\r\n\r\nOK\r\n')
    expect(say(phone, 'ATZE0V1\r')).to.equal('\r\nOK\r\n')
    expect(say(phone, 'AT+NOPE\r')).to.equal('\r\nERROR\r\n')
  })

  it('reads its phonebook (AT+CPBS, AT+CPBR), in UCS2 when asked', () => {
    const phone = new AtPhone()
    phone.echo = false
    expect(say(phone, 'AT+CPBS=?\r')).to.equal('\r\n+CPBS: ("SM","ME")\r\n\r\nOK\r\n')
    expect(say(phone, 'AT+CPBS="SM"\r')).to.equal('\r\nOK\r\n')
    expect(say(phone, 'AT+CPBS?\r')).to.equal('\r\n+CPBS: "SM",3,100\r\n\r\nOK\r\n')
    expect(say(phone, 'AT+CPBR=?\r')).to.equal('\r\n+CPBR: (1-100),40,24\r\n\r\nOK\r\n')
    expect(say(phone, 'AT+CPBR=1,2\r')).to.equal('\r\n+CPBR: 1,"+441632960001",145,"Alice"\r\n\r\n+CPBR: 2,"+441632960002",145,"Bob"\r\n\r\nOK\r\n')
    expect(say(phone, 'AT+CSCS="UCS2"\r')).to.equal('\r\nOK\r\n')
    expect(say(phone, 'AT+CPBR=2\r')).to.equal('\r\n+CPBR: 2,"+441632960002",145,"0042006F0062"\r\n\r\nOK\r\n')
    expect(say(phone, 'AT+CPBS="XX"\r')).to.equal('\r\nERROR\r\n')
    expect(say(phone, 'AT+CPBR=0\r')).to.equal('\r\nERROR\r\n')
  })

  it('bounds a line that never ends and answers ERROR for it', () => {
    const phone = new AtPhone()
    phone.echo = false
    expect(say(phone, 'A'.repeat(100_000))).to.equal('')
    expect((phone as unknown as { line: string }).line.length).to.equal(MAX_LINE)
    expect(say(phone, '\r')).to.equal('\r\nERROR\r\n')
    expect(say(phone, 'AT\r')).to.equal('\r\nOK\r\n')
  })
})

describe('ircomm/emulated devices in a room', () => {
  it('the phone answers AT commands over 9-wire IrCOMM', async () => {
    const room = new Room({ time: 'virtual', seed: 1831 })
    const seen: string[] = []
    emulatePhone(room.port('phone'), { seed: 1, onCommand: l => seen.push(l) })
    const laptop = IrdaStack.create({ port: room.port('laptop'), nickname: 'laptop', seed: 2 })
    const port = await room.run(connectIrcomm(laptop))
    expect(port.service).to.equal('9-wire')
    const got = collect(port)
    port.write('ATE0\rAT+CGMI\r')
    await room.run(until(room, () => got.bytes().toString().includes('irdakit\r\n\r\nOK'), 'answer'))
    expect(got.bytes().toString()).to.equal('ATE0\r\r\nOK\r\n\r\nirdakit\r\n\r\nOK\r\n')
    expect(seen).to.deep.equal(['ATE0', 'AT+CGMI'])
  })

  it('the MCP2150: secondary named Generic IrDA, 9-wire only, 60-byte frames, a UART rate it will not change', async () => {
    const room = new Room({ time: 'virtual', seed: 1832 })
    const chip = emulateMcp2150(room.port('mcp2150', { supportedSpeeds: [9600, 19200, 38400, 57600, 115200] }), { seed: 3 })
    const host = IrdaStack.create({ port: room.port('host'), nickname: 'host', seed: 4 })
    const found = await room.run(host.discover())
    expect(found.map(d => [d.nickname, Array.from(d.hints)])).to.deep.equal([[MCP2150_NICKNAME, [0x80, 0x04]]])
    const params = await room.run(host.iasQuery(found[0].deviceAddress, 'IrDA:IrCOMM', 'Parameters'))
    const value = params.entries[0].value
    expect(value.type === 'octets' ? Buffer.from(value.value).toString('hex') : '').to.equal('000104010101')
    const port = await room.run(connectIrcomm(host))
    expect(port.service).to.equal('9-wire')
    expect(port.frameDataSize).to.equal(60)
    const fromChip: IrcommParam[] = []
    port.on('param', p => fromChip.push(p))
    port.setSettings({ dataRate: 115200 })
    const got = collect(port)
    port.write('READ\r')
    await room.run(until(room, () => got.bytes().toString().endsWith('\r\n') && fromChip.some(p => p.type === 'data-rate'), 'reading'))
    expect(got.bytes().toString()).to.equal('#1 T=21.1 C\r\n')
    expect(fromChip.filter(p => p.type === 'data-rate')).to.deep.equal([{ type: 'data-rate', bps: 9600 }])
    expect(chip.connections).to.have.length(1)
  })

  it('an MCP2150 variant offering 3-wire cooked is connected 3-wire, and still reads', async () => {
    const room = new Room({ time: 'virtual', seed: 1834 })
    emulateMcp2150(room.port('mcp2150'), { seed: 7, services: 0x02 })
    const host = IrdaStack.create({ port: room.port('host'), nickname: 'host', seed: 8 })
    const port = await room.run(connectIrcomm(host))
    expect(port.service).to.equal('3-wire')
    const got = collect(port)
    port.write('R\n')
    await room.run(until(room, () => got.bytes().toString().endsWith('\r\n'), 'reading'))
    expect(got.bytes().toString()).to.equal('#1 T=21.1 C\r\n')
  })

  it('the phone stops reading a client that asks without reading the answers', async () => {
    const room = new Room({ time: 'virtual', seed: 1833 })
    const phone = emulatePhone(room.port('phone'), { seed: 5 })
    const laptop = IrdaStack.create({ port: room.port('laptop'), nickname: 'laptop', seed: 6 })
    const port = await room.run(connectIrcomm(laptop))
    port.pause()
    const ask = Buffer.from('AT+CPBR=1,3\r'.repeat(10_000))
    port.write(ask)
    await room.run(until(room, () => phone.connections.length === 1 && phone.connections[0].isPaused(), 'phone pauses', 600_000))
    // Wait longer still: nothing more is read, so nothing more is answered.
    await room.run(new Promise<void>(resolve => { room.clock.setTimer(room.clock.now() + 30_000, resolve) }))
    const conn = phone.connections[0]
    // Answers held: the stream's high water plus what one received frame asked for, far from
    // the 10000 answers (about 1.3 MB) asked.
    expect(conn.writableLength + conn.session.queuedBytes).to.be.at.most(64 * 1024)
    expect(port.session.queuedBytes).to.be.greaterThan(0) // the client is held back
  })
})
