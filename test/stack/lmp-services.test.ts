import { expect } from 'chai'
import { join } from 'node:path'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { DecodeSession, decodeFrame, readPcap } from '@irdakit/capture'
import { requireTshark, expectCleanDecode, tsharkDecode } from '../helpers/tshark.js'
import { testDir } from '../helpers/temp-dir.js'

describe('stack/IrLMP services over the emulated medium', () => {
  it('keeps discovery logs across several stations, with nicknames and hint filtering', async () => {
    const room = new Room({ time: 'virtual', seed: 7 })
    const names = ['pc', 'palm', 'phone', 'printer', 'meter']
    const hints = [[0x84, 0x04], [0x82, 0x04], [0x81, 0x20], [0x08], [0x01]]
    const stacks = names.map((n, i) => IrdaStack.create({ port: room.port(n), nickname: n, hints: hints[i], seed: 100 + i }))
    // Responders that pick the same slot collide, so applications rediscover (libdivecomputer
    // tries 4 times); the log gathers what each round found.
    let rounds = 0
    while (stacks[0].discoveryLog().length < 4 && rounds < 6) { await room.run(stacks[0].discover({ slots: 8 })); rounds++ }
    expect(stacks[0].discoveryLog().map(d => d.nickname).sort()).to.deep.equal(['meter', 'palm', 'phone', 'printer'])
    // IrCOMM hint (byte 1, 0x04) filters the log to the Palm; OBEX (byte 1, 0x20) to the phone.
    expect(stacks[0].discoveryLog(0x0400).map(d => d.nickname)).to.deep.equal(['palm'])
    expect(stacks[0].discoveryLog(0x2000).map(d => d.nickname)).to.deep.equal(['phone'])
    // Everyone who answered learned about the discoverer from its final XID.
    for (const s of stacks.slice(1)) expect(s.discoveryLog().map(d => d.nickname)).to.deep.equal(['pc'])
  })

  it('returns a 1024-byte IAS value across many 64-byte frames, and every return code', async () => {
    const room = new Room({ time: 'virtual', seed: 8 })
    const a = IrdaStack.create({ port: room.port('A'), nickname: 'a', seed: 1, qos: { speeds: [9600, 115200], dataSize: 64 } })
    const b = IrdaStack.create({ port: room.port('B'), nickname: 'b', seed: 2, qos: { speeds: [9600, 115200], dataSize: 64 } })
    const params = Uint8Array.from({ length: 1024 }, (_, i) => (i * 13) & 0xFF)
    b.ias.set('IrDA:IrCOMM', 'Parameters', { type: 'octets', value: params })
    const r = await room.run(a.iasQuery(b.deviceAddress, 'IrDA:IrCOMM', 'Parameters'))
    expect(r.returnCode).to.equal(0)
    expect(r.entries[0].value).to.deep.equal({ type: 'octets', value: params })
    expect((await room.run(a.iasQuery(b.deviceAddress, 'OBEX', 'IrDA:TinyTP:LsapSel'))).returnCode).to.equal(1)
    expect((await room.run(a.iasQuery(b.deviceAddress, 'IrDA:IrCOMM', 'IrDA:TinyTP:LsapSel'))).returnCode).to.equal(2)
    expect(a.station.link?.txDataSize).to.equal(64)
  })

  it('grants exclusive access to a lone connection and refuses it when the link is shared', async () => {
    const room = new Room({ time: 'virtual', seed: 9 })
    const a = IrdaStack.create({ port: room.port('A'), nickname: 'a', seed: 1 })
    const b = IrdaStack.create({ port: room.port('B'), nickname: 'b', seed: 2 })
    const srv = b.ttpListen()
    const s1 = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    expect(await room.run(a.accessMode(s1, 'exclusive'))).to.equal('success')
    expect(await room.run(a.accessMode(s1, 'multiplexed'))).to.equal('success')
    const s2 = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    expect(await room.run(a.accessMode(s2, 'exclusive'))).to.equal('failure')
  })

  it('delivers connectionless data to a station without a link', async () => {
    const room = new Room({ time: 'virtual', seed: 10 })
    const a = IrdaStack.create({ port: room.port('A'), nickname: 'a', seed: 1 })
    const b = IrdaStack.create({ port: room.port('B'), nickname: 'b', seed: 2 })
    const got = new Promise<number[]>(resolve => b.onConnectionless(d => resolve(Array.from(d))))
    a.sendConnectionless(Uint8Array.of(0x42, 1, 2, 3))
    expect(await room.run(got)).to.deep.equal([0x42, 1, 2, 3])
  })

  /** A session exercising every IrLMP PDU we emit, captured from the medium. */
  async function lmpSession (dataSize: number, valueBytes: number): Promise<string> {
    const room = new Room({ time: 'virtual', seed: 11 })
    const pcap = join(testDir('irdakit-lmp-'), 'lmp.pcap')
    const a = IrdaStack.create({ port: room.port('A'), nickname: 'a', seed: 1, qos: { speeds: [9600, 115200], dataSize } })
    const b = IrdaStack.create({ port: room.port('B'), nickname: 'b', seed: 2, qos: { speeds: [9600, 115200], dataSize } })
    const cap = room.capture(pcap)
    b.ias.set('Big', 'Value', { type: 'octets', value: new Uint8Array(valueBytes) })
    const srv = b.ttpListen()
    b.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: srv.lsap })
    await room.run(a.iasQuery(b.deviceAddress, 'Big', 'Value'))
    await room.run(a.iasQuery(b.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel'))
    const s = await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: srv.lsap }))
    await room.run(a.accessMode(s, 'exclusive'))
    s.write(new Uint8Array(200))
    await room.run(a.accessMode(s, 'multiplexed'))
    await room.run(a.ttpConnect({ deviceAddress: b.deviceAddress, remoteLsap: 0x55 }).catch(() => undefined))
    s.close()
    await room.run(a.close())
    cap.close()
    return pcap
  }

  it('emits IrLMP and IAS PDUs tshark decodes cleanly: connect, confirm, data, access mode, disconnect reasons', async function () {
    requireTshark(this)
    const frames = expectCleanDecode(await lmpSession(2048, 300))
    const field = (name: string): string[] => frames.flatMap(f => f.fields[name] ?? [])
    const opcodes = new Set(field('irlmp.opcode').map(x => Number(x)))
    for (const op of [0x01, 0x81, 0x02, 0x03, 0x83]) expect(opcodes, `opcode 0x${op.toString(16)}`).to.include(op)
    expect(field('irlmp.mode').map(Number)).to.include.members([0, 1])
    expect(field('irlmp.status').map(Number)).to.include(0)
    expect(field('irlmp.reason').map(Number)).to.include.members([1, 8])
    expect(field('iap.return').map(Number)).to.include(0)
    expect(field('iap.int').map(Number).filter(n => n >= 1 && n <= 0x6F)).to.have.length(1)
  })

  it('splits a long IAS answer into Lst/Ack frames; tshark, which models only one-frame IAS, rejects exactly those', async function () {
    requireTshark(this)
    const pcap = await lmpSession(64, 300)
    const session = new DecodeSession()
    const records = readPcap(pcap)
    if (!records.ok) throw records.error
    const ours = records.value.map(r => decodeFrame(r.frame, session))
    expect(ours.filter(d => d.error !== undefined).map(d => d.summary)).to.deep.equal([])
    const whole = ours.flatMap(d => d.layers).find(l => l.layer === 'IAS' && typeof l.fields.frames === 'number' && (l.fields.frames as number) > 1)
    expect(whole?.summary).to.match(/^ias: GetValueByClass success [0-9a-f]+:octets\(300\)$/)
    const multiFrameIas = new Set(ours.flatMap((d, i) => {
      const ias = d.layers.find(l => l.layer === 'IAS')
      const partOfLong = ias !== undefined && (ias.fields.lst === false || ias.fields.ack === true || (ias.fields.frames as number | undefined ?? 1) > 1)
      return partOfLong ? [i + 1] : []
    }))
    expect(multiFrameIas.size).to.be.greaterThan(8)
    const rejected = tsharkDecode(pcap).filter(f => f.malformed || f.expert.some(e => e.severity === 'error')).map(f => f.number)
    expect(rejected.length).to.be.greaterThan(0)
    for (const n of rejected) expect(multiFrameIas.has(n), `frame ${n} rejected by tshark is not part of the multi-frame IAS answer`).to.equal(true)
  })
})
