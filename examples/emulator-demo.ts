/*!
 * The main job until `irda demo` lands: two stations in an emulated IR room find each other,
 * one looks up the other's echo service in IAS, connects over TinyTP, sends a block of data
 * and gets it back, while every frame on the medium is printed decoded and written to a pcap.
 *
 *   npm run example                 virtual time (instant), 9600..4M bit/s
 *   npm run example -- --speed 115200 --ber 1e-5 --pcap demo.pcap --bytes 20000
 */
import { parseArgs } from 'node:util'
import { Room } from '@irdakit/emulator'
import { IrdaStack, type TtpSocket } from '@irdakit/stack'
import { DecodeSession, formatFrame } from '@irdakit/capture'
import { SPEEDS } from '@irdakit/phy'

const { values: args } = parseArgs({
  options: {
    speed: { type: 'string', default: '4000000' },
    ber: { type: 'string', default: '0' },
    bytes: { type: 'string', default: '8192' },
    pcap: { type: 'string', default: 'irdakit-demo.pcap' },
    seed: { type: 'string', default: '1' },
    quiet: { type: 'boolean', default: false },
  },
})
const speed = Number(args.speed)
if (!SPEEDS.includes(speed as never)) {
  console.error(`--speed must be one of ${SPEEDS.join(', ')}`)
  process.exit(2)
}
const speeds = SPEEDS.filter(s => s <= speed)

const room = new Room({ time: 'virtual', seed: Number(args.seed) })
const pc = IrdaStack.create({ port: room.port('laptop', { supportedSpeeds: speeds }), nickname: 'laptop', hints: [0x84, 0x04], seed: 11 })
const dive = IrdaStack.create({ port: room.port('divecomputer', { supportedSpeeds: speeds }), nickname: 'Aladin Smart', hints: [0x01], seed: 12 })
if (Number(args.ber) > 0) room.faults({ ber: Number(args.ber) })

const capture = room.capture(args.pcap, { perspective: 'laptop' })
const session = new DecodeSession()
room.tap(rec => {
  if (args.quiet) return
  const who = rec.sender === 'laptop' ? 'laptop >' : '< dive  '
  const t = (rec.end / 1000).toFixed(4).padStart(9)
  const lost = rec.receptions.some(r => r.result !== 'good') ? '  [lost]' : ''
  console.log(`${t} ${who} ${formatFrame(rec.frame, { session })}${lost}`)
})

// The "dive computer" offers an echo service, announced in IAS like a real device would.
const service = dive.ttpListen()
dive.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: service.lsap })
service.on('connection', (s: TtpSocket) => {
  s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) s.write(c) })
})

async function main (): Promise<void> {
  const devices = await pc.discover()
  const target = devices.find(d => d.nickname === 'Aladin Smart')
  if (target === undefined) throw new Error('the dive computer did not answer discovery')
  const ias = await pc.iasQuery(target.deviceAddress, 'Echo', 'IrDA:TinyTP:LsapSel')
  const lsap = ias.entries[0]?.value
  if (lsap?.type !== 'integer') throw new Error('no Echo service in the peer IAS')
  const sock = await pc.ttpConnect({ deviceAddress: target.deviceAddress, remoteLsap: lsap.value })
  const data = Uint8Array.from({ length: Number(args.bytes) }, (_, i) => (i * 7 + 3) & 0xFF)
  const t0 = room.clock.now()
  sock.write(data)
  const back: Uint8Array[] = []
  let got = 0
  while (got < data.length) {
    const c = sock.read()
    if (c !== undefined) { back.push(c); got += c.length; continue }
    await new Promise<void>(resolve => sock.once('readable', () => resolve()))
  }
  const ms = room.clock.now() - t0
  const same = Buffer.compare(Buffer.concat(back), Buffer.from(data)) === 0
  sock.close()
  await pc.close()
  await dive.close()
  capture.close()
  const link = pc.station.stats
  console.log('')
  console.log(`found "${target.nickname}" at 0x${target.deviceAddress.toString(16).padStart(8, '0')}, echo service on LSAP 0x${lsap.value.toString(16)}`)
  console.log(`echoed ${data.length} bytes in ${ms.toFixed(1)} ms of link time: ${same ? 'identical' : 'MISMATCH'}`)
  console.log(`${(2 * data.length / (ms / 1000) / 1024).toFixed(1)} KiB/s both ways at ${speed} bit/s; ${link.retransmissions} retransmissions, ${link.rxErrors} receive errors`)
  console.log(`capture: ${args.pcap} (open it in Wireshark, or: tshark -r ${args.pcap})`)
  if (!same) process.exitCode = 1
}

room.run(main()).catch(err => { console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`); process.exitCode = 1 })
