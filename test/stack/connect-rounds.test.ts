/*!
 * A connect as `irda demo` and IrSock's connect() run it (issue 17), counted frame by frame in
 * the room's tap: after the UA and the first RR round at the new speed, every request/response
 * exchange (IrLMP connect to IAS, the IAS query, TinyTP connect) takes one poll/final round, the
 * responder's reply in the turn that answers the poll and the initiator's next request in the
 * turn right after it. Our stack is both the primary (initiator) and the secondary (responder).
 */
import { expect } from 'chai'
import { once } from 'node:events'
import { Room } from '@irdakit/emulator'
import { connect } from '@irdakit/irsock'
import { parseFrame } from '@irdakit/lap'
import { parseLmpPdu } from '@irdakit/lmp'
import { IrdaStack } from '@irdakit/stack'
import { DEMO_SERVICE_CLASS, listenEcho } from '../../packages/cli/src/demo.js'

interface Seen { sender: string, what: string }

/** `A RR`, `B I lm:connect-confirm`, ...: who sent what, for the frames after the UA. */
function describe1 (sender: string, frame: Uint8Array): string {
  const f = parseFrame(frame)
  if (!f.ok) return `${sender} ?`
  if (f.value.kind !== 'I') return `${sender} ${f.value.kind}`
  const pdu = parseLmpPdu(f.value.info)
  return `${sender} I ${pdu.ok ? pdu.value.kind : '?'}${f.value.pf ? '' : ' (no P/F)'}`
}

async function connectedTrace (bps: number, discoverFirst: boolean): Promise<Seen[]> {
  const room = new Room({ time: 'virtual', seed: 3 })
  const frames: Array<{ sender: string, frame: Uint8Array }> = []
  room.tap(r => frames.push({ sender: r.sender, frame: r.frame }))
  const speeds = [9600, 115200, 4000000].filter(s => s <= bps)
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: speeds }), nickname: 'laptop', seed: 30 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: speeds }), nickname: 'Aladin Smart', seed: 31 })
  listenEcho(b)
  await room.run((async () => {
    const deviceAddress = discoverFirst ? (await a.discover())[0]?.deviceAddress : undefined
    const sock = connect(a, { service: DEMO_SERVICE_CLASS, nineWire: true, ...(deviceAddress !== undefined ? { deviceAddress } : {}) })
    await once(sock, 'connect')
    sock.destroy()
  })())
  const seen = frames.map(f => ({ sender: f.sender, what: describe1(f.sender, f.frame) }))
  const ua = seen.findIndex(s => s.what === 'B UA')
  expect(ua, 'a UA on the air').to.be.greaterThan(0)
  await room.run(Promise.all([a.close(), b.close()]))
  await room.close()
  return seen.slice(ua + 1)
}

describe('stack/connect: one poll/final round per request/response exchange', () => {
  it('at 115200 (window 7): LM connect, IAS query, IAS disconnect with TinyTP connect, each answered in the next turn', async () => {
    const after = await connectedTrace(115200, true)
    expect(after.slice(0, 9).map(s => s.what)).to.deep.equal([
      'A RR', 'B RR', // the first poll at the new speed
      'A I connect', 'B I connect-confirm', // IrLMP to IAS
      'A I data', 'B I data', // GetValueByClass and its answer
      'A I disconnect (no P/F)', 'A I connect', 'B I connect-confirm', // IAS closed, TinyTP opened
    ])
  })

  it('at 9600 (window 1): the IAS disconnect and the TinyTP connect need a turn each, and nothing more', async () => {
    const after = await connectedTrace(9600, true)
    expect(after.slice(0, 10).map(s => s.what)).to.deep.equal([
      'A RR', 'B RR',
      'A I connect', 'B I connect-confirm',
      'A I data', 'B I data',
      'A I disconnect', 'B RR', // window 1: the next I frame needs this acknowledgement
      'A I connect', 'B I connect-confirm',
    ])
  })

  it('IrSock connect() that discovers by itself: the same rounds', async () => {
    const after = await connectedTrace(115200, false)
    expect(after.slice(0, 9).map(s => s.what)).to.deep.equal(['A RR', 'B RR', 'A I connect', 'B I connect-confirm', 'A I data', 'B I data', 'A I disconnect (no P/F)', 'A I connect', 'B I connect-confirm'])
  })
})
