/*! IrLAP connection establishment as the secondary (the 1995 CS series): the tester sends SNRM. */
import { BROADCAST_CADDR, encodeQos, emitFrame, type LapFrame } from '@irdakit/lap'
import type { CaseDef } from '../case.js'
import { PrimaryLink, TESTER_ADDRESS, testerQos, sirSpeeds, ANSWER_MS } from '../link.js'
import { classify } from '../profile.js'
import { startOf } from '../station.js'

type Ua = LapFrame & { kind: 'UA' }

/** SNRM bytes with a hand-made parameter list (for malformed-parameter cases). */
function rawSnrm (target: number, caddr: number, params: number[]): Uint8Array {
  const head = emitFrame({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: target, connAddr: caddr } })
  return Uint8Array.from([...head.subarray(0, 11), ...params])
}

/** 9600 only, 500 ms, 64..2048 bytes, window 1, 0 BOFs, 1 ms, 12 s, as PI/PL/PV bytes. */
const BASE_PARAMS = [...encodeQos(testerQos())]

export const LAP_CON: CaseDef[] = [
  {
    id: 'LAP/SEC/CON/BV-01', legacy: 'CS1', level: 'MUST', clause: 'IrLAP 1.1 6.4.1, 5.2.2.3 (UA), 6.6 (negotiation)',
    title: 'SNRM gets UA on the new connection address, F set, addresses swapped, negotiation parameters present',
    run: async ctx => {
      const link = await ctx.connect({ caddr: 0x33 })
      const ua = link.ua
      ctx.must(ua.source === ctx.profile.deviceAddress, `UA source 0x${ua.source.toString(16)} is not the device`)
      ctx.must(ua.destination === TESTER_ADDRESS, `UA destination 0x${ua.destination.toString(16)} is not the tester`)
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BV-02', legacy: 'CS1', level: 'MUST', clause: 'IrLAP 1.1 6.6.1-6.6.11 (type 0 and type 1 parameters)',
    title: 'The UA parameters are valid: 9600 offered, type 0 values (speed, link disconnect) within what the SNRM offered, every field non-empty',
    run: async ctx => {
      const offer = testerQos({ speeds: sirSpeeds(ctx.port.supportedSpeeds), linkDisconnectMs: 40000 })
      const link = await ctx.connect({ qos: offer })
      const q = link.ua.qos
      ctx.must(q !== undefined, 'UA has no parameters')
      if (q === undefined) return
      ctx.must((q.baudRate & 0x02) !== 0, 'the UA does not include 9600 b/s, which every station supports (IrLAP 6.6.1)')
      ctx.must((q.baudRate & ~offer.baudRate) === 0, `UA baud bits 0x${q.baudRate.toString(16)} outside the offered 0x${offer.baudRate.toString(16)} (type 0: the intersection)`)
      ctx.must((q.linkDisconnect & ~offer.linkDisconnect) === 0, `UA link disconnect bits 0x${q.linkDisconnect.toString(16)} outside the offered 0x${offer.linkDisconnect.toString(16)} (type 0)`)
      ctx.must(q.dataSize !== 0 && q.windowSize !== 0 && q.maxTurnaround !== 0 && q.minTurnaround !== 0 && q.additionalBofs !== 0 && q.linkDisconnect !== 0, 'a UA parameter has no bit set')
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BV-03', level: 'MUST', clause: 'IrLAP 1.1 6.5.3 (NRM: the secondary answers every poll)',
    title: 'After UA the first poll (RR with P) is answered on the connection address with F',
    run: async ctx => {
      const link = await ctx.connect()
      const turn = await link.exchange()
      const last = turn[turn.length - 1]
      ctx.must(last.frame !== undefined && last.frame.caddr === link.caddr && !last.frame.command && last.frame.pf, `the answer to the poll is ${last.frame?.kind ?? 'garbage'}, not a response with F on 0x${link.caddr.toString(16)}`)
      ctx.must(last.frame?.kind === 'RR' || last.frame?.kind === 'I' || last.frame?.kind === 'RNR', `a fresh link answers a poll with ${last.frame?.kind}`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BI-03', legacy: 'CS3', level: 'MUST', clause: 'IrLAP 1.1 6.6 (every parameter has a default; 9600 is always allowed); hostile input',
    title: 'SNRM whose parameter values are all zero: the link comes up at 9600 with valid UA parameters, or is refused; the device stays usable',
    run: async ctx => {
      const zero = [0x01, 0x01, 0x00, 0x82, 0x01, 0x00, 0x83, 0x01, 0x00, 0x84, 0x01, 0x00, 0x85, 0x01, 0x00, 0x86, 0x01, 0x00, 0x08, 0x01, 0x00]
      ctx.st.send(rawSnrm(ctx.profile.deviceAddress, 0x21, zero), 'every PV zero')
      const r = await ctx.st.next(ANSWER_MS)
      if (r?.frame?.kind === 'UA') {
        const q = (r.frame as Ua).info?.qos
        ctx.must(q !== undefined && (q.baudRate & 0x02) !== 0, 'UA to a zero-parameter SNRM must still allow 9600')
        ctx.info('the device accepted the SNRM with defaults')
        ctx.st.send({ kind: 'RR', caddr: 0x21, command: true, pf: true, nr: 0 })
        try {
          await ctx.st.expect({ kind: 'RR', caddr: 0x21, command: false }, ANSWER_MS, 'the link made from defaults works at 9600')
        } finally {
          // Whatever the answer, the link ends here, so later cases judge the device afresh.
          ctx.st.send({ kind: 'DISC', caddr: 0x21, command: true, pf: true })
          await ctx.st.collect(400)
        }
      } else {
        ctx.info(`the device answered ${r?.frame?.kind ?? 'nothing'}`)
        ctx.must(r === undefined || r.frame?.kind === 'DM', `a refused SNRM is answered with DM or not at all, got ${r?.frame?.kind ?? 'garbage'}`)
      }
      const link = await ctx.connect()
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BI-04', legacy: 'CS4', level: 'MUST', clause: 'IrLAP 1.1 6.6.1 (baud rate PV of 2 bytes)',
    title: 'SNRM whose baud rate is a 2-byte PV is accepted',
    run: async ctx => {
      const params = [0x01, 0x02, 0x02, 0x00, ...BASE_PARAMS.slice(3)]
      const link = await ctx.connect({ raw: rawSnrm(ctx.profile.deviceAddress, 0x2A, params) })
      ctx.must(((link.ua.qos?.baudRate ?? 0) & 0x02) !== 0, 'UA does not include 9600')
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BI-05', legacy: 'CS5', level: 'MUST', clause: 'IrLAP 1.1 6.6 (unknown parameters are ignored)',
    title: 'SNRM with a parameter of unknown PI is accepted; the PI is ignored',
    run: async ctx => {
      const params = [...BASE_PARAMS, 0x7A, 0x02, 0xAB, 0xCD]
      const link = await ctx.connect({ raw: rawSnrm(ctx.profile.deviceAddress, 0x2A, params) })
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BI-06', legacy: 'CS6', level: 'MUST', clause: 'IrLAP 1.1 6.3 (NDM: only XID, SNRM, TEST, UI, DISC concern the station)',
    title: 'In NDM, numbered and supervisory commands (I, RR with P) get no answer',
    run: async ctx => {
      ctx.st.send({ kind: 'RR', caddr: 0x2B, command: true, pf: true, nr: 0 })
      await ctx.st.expectSilence(500, 'RR in NDM gets no answer')
      ctx.st.send({ kind: 'I', caddr: 0x2B, command: true, pf: true, ns: 0, nr: 0, info: Uint8Array.of(0x00, 0x51, 0x01) })
      await ctx.st.expectSilence(500, 'an I frame in NDM gets no answer')
    },
  },
  {
    id: 'LAP/SEC/CON/BI-07', legacy: 'CS7', level: 'MUST', clause: 'IrLAP 1.1 6.4.1 (SNRM destination address)',
    title: 'SNRM for another device address gets no answer',
    run: async ctx => {
      ctx.st.send({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: 0x0BADCAFE, connAddr: 0x2C, qos: testerQos() } })
      const r = await ctx.st.quiet(800)
      // A device that took it is left in NDM again, so later cases judge it afresh.
      if (r?.frame?.kind === 'UA') { ctx.st.send({ kind: 'DISC', caddr: 0x2C, command: true, pf: true }, 'cleanup'); await ctx.st.collect(400) }
      ctx.must(r === undefined, `a SNRM for another device is not answered: got ${r?.frame?.kind ?? 'a frame that does not decode'}`)
      ctx.st.send({ kind: 'RR', caddr: 0x2C, command: true, pf: true, nr: 0 })
      await ctx.st.expectSilence(500, 'no link came up from a SNRM for another device')
    },
  },
  {
    id: 'LAP/SEC/CON/BV-08', level: 'MUST', clause: 'IrLAP 1.1 5.1 (connection address), 6.5',
    title: 'In NRM, commands on another connection address are ignored; the own address still works',
    run: async ctx => {
      const link = await ctx.connect({ caddr: 0x40 })
      ctx.st.send({ kind: 'RR', caddr: 0x41, command: true, pf: true, nr: 0 })
      await ctx.st.expectSilence(600, 'a poll on another connection address is not answered')
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/RST/BV-01', level: 'MUST', clause: 'IrLAP 1.1 6.9 (reset: an SNRM in NRM on the connection address is answered with UA and the sequence numbers start again)',
    title: 'A reset SNRM on a live link is answered with UA on the same connection address, and the link works on from V(S) = V(R) = 0',
    run: async ctx => {
      const link = await ctx.connect()
      await link.exchange()
      // Without an information field: Linux ignores a reset SNRM that has one ("not allowed in
      // this state", irlap_event.c); a station that takes both passes either way.
      ctx.st.send({ kind: 'SNRM', caddr: link.caddr, command: true, pf: true }, 'reset')
      const r = await ctx.st.expect({ kind: 'UA', command: false, pf: true }, ANSWER_MS, 'a reset SNRM gets UA (IrLAP 6.9)')
      ctx.must(r.frame?.caddr === link.caddr, `the reset UA came on 0x${r.frame?.caddr.toString(16)}, not the link's 0x${link.caddr.toString(16)}`)
      link.vs = 0
      link.vr = 0
      const turn = await link.exchange()
      const last = turn[turn.length - 1].frame
      ctx.must(last !== undefined && (last.kind === 'RR' || last.kind === 'I' || last.kind === 'RNR') && last.caddr === link.caddr, `after the reset a poll gets ${last?.kind ?? 'garbage'}, not a supervisory answer or data`)
      ctx.must(last === undefined || !('nr' in last) || last.nr === 0, `after the reset the device acknowledges N(R) = ${last !== undefined && 'nr' in last ? last.nr : '?'}, not 0`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BV-09', level: 'MUST', needs: ['speeds>1'], clause: 'IrLAP 1.1 6.6.1 (both stations switch to the highest common speed after UA)',
    title: 'Speed negotiation: the link runs at the highest common speed after UA, and returns to 9600 after DISC',
    run: async ctx => {
      const speeds = sirSpeeds(ctx.port.supportedSpeeds).filter(s => ctx.profile.speeds.includes(s))
      const link = await ctx.connect({ qos: testerQos({ speeds }) })
      ctx.must(link.params?.baudRate === Math.max(...speeds), `negotiated ${link.params?.baudRate ?? '?'} b/s, want ${Math.max(...speeds)}`)
      await link.exchange()
      await link.exchange()
      await link.disconnect()
      ctx.st.send({ kind: 'XID', caddr: 0x7F, command: true, pf: true, info: { format: 1, source: TESTER_ADDRESS, destination: 0xFFFFFFFF, slots: 1, newAddress: false, slot: 0, version: 0 } })
      await ctx.st.expect({ kind: 'XID', command: false }, 300, 'discovery at 9600 works again after the link')
      await ctx.st.wait(150)
    },
  },
  {
    id: 'LAP/SEC/CON/TI-01', level: 'MUST', needs: ['timing'], clause: 'IrLAP 1.1 6.6.10 (minimum turnaround: 10 ms until negotiated)',
    title: 'UA leaves at least 10 ms after the SNRM ends',
    run: async ctx => {
      const link = await ctx.connect()
      const gapUa = link.uaGapMs
      ctx.info(`UA started ${gapUa.toFixed(1)} ms after the SNRM`)
      ctx.must(gapUa >= 9.5, `UA started ${gapUa.toFixed(1)} ms after the SNRM, inside the 10 ms minimum turnaround`)
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/TI-02', level: 'MUST', needs: ['timing'], clause: 'IrLAP 1.1 6.6.10 (the negotiated minimum turnaround)',
    title: 'After negotiating a 10 ms minimum turnaround, every answer leaves at least 10 ms after our frame',
    run: async ctx => {
      const link = await ctx.connect({ qos: testerQos({ minTurnaroundMs: 10 }) })
      for (let i = 0; i < 4; i++) {
        const turn = await link.exchange()
        const gap = startOf(turn[0], link.params?.baudRate ?? 9600) - ctx.st.lastTxEnd
        ctx.must(gap >= 9.5, `answer ${i + 1} started ${gap.toFixed(1)} ms after our poll, inside the negotiated 10 ms`)
      }
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/CA-01', level: 'INFO', clause: 'Minimal IrDA Protocol Implementation 1.0 (IrDA Lite)',
    title: 'IrDA Lite or full IrLAP, from the UA parameters',
    run: async ctx => { ctx.info(classify(ctx.profile)) },
  },
  {
    id: 'LAP/SEC/CON/CA-02', level: 'INFO', clause: 'IrLAP 1.1 6.6',
    title: 'The negotiation parameters the device offers',
    run: async ctx => {
      const p = ctx.profile
      ctx.info(`speeds ${p.speeds.join('/')}; window ${p.windowSize}; data size ${p.dataSize}; max turnaround ${p.maxTurnaroundMs} ms; min turnaround ${p.minTurnaroundMs} ms; additional BOFs ${p.additionalBofs}; link disconnect ${p.linkDisconnectMs / 1000} s`)
    },
  },
]
