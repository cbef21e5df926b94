/*! More IrLAP secondary cases: reset, acknowledgement, sequence numbers, UI and TEST in NRM, reserved addresses. */
import { BROADCAST_CADDR, BROADCAST_DEVICE, emitFrame, type LapFrame } from '@irdakit/lap'
import { emitLmpPdu } from '@irdakit/lmp'
import type { CaseContext, CaseDef } from '../case.js'
import { TESTER_ADDRESS, testerQos, xidCommand, ANSWER_MS, TESTER_DISCOVERY_INFO, type PrimaryLink } from '../link.js'
import type { Received } from '../station.js'
import { ascii } from '../upper.js'
import { bytes, openEcho } from './echo.js'

type I = LapFrame & { kind: 'I' }
const iFrames = (turn: Received[]): I[] => turn.map(r => r.frame).filter((f): f is I => f?.kind === 'I')
const nrOf = (turn: Received[]): number | undefined => { const f = turn[turn.length - 1]?.frame; return f !== undefined && 'nr' in f ? f.nr : undefined }
const lmData = (n: number): Uint8Array => emitLmpPdu({ kind: 'data', dlsap: 0x6E, slsap: 0x5E, data: ascii(`frame ${n}`) })

/** Echo traffic until the device has sent `n` I frames on the link; returns all of them, in order. */
async function deviceFrames (ctx: CaseContext, link: PrimaryLink, n: number): Promise<I[]> {
  const echo = await openEcho(ctx, link, { credit: 30 })
  const start = 0
  for (let i = 0; i < 40 && link.frames.slice(start).filter(f => f.frame?.kind === 'I').length < n; i++) {
    if (echo.sendCredit > 0 && i < 12) await echo.send(bytes(40, i), { give: 2 })
    else await link.exchange()
  }
  return link.frames.slice(start).map(r => r.frame).filter((f): f is I => f?.kind === 'I')
}

export const LAP_MORE: CaseDef[] = [
  {
    id: 'LAP/SEC/XID/BV-08', level: 'SHOULD', clause: 'IrLAP 1.1 6.11 (the device address stays the same unless a conflict is resolved)',
    title: 'Three discoveries in a row are answered from the same device address, with the same discovery info',
    run: async ctx => {
      const seen: Array<{ src: number, info: string }> = []
      for (let i = 0; i < 3; i++) {
        ctx.st.send(xidCommand(0))
        const r = await ctx.st.expect({ kind: 'XID', command: false }, 130, 'a 1-slot discovery is answered')
        const f = r.frame as LapFrame & { kind: 'XID' }
        seen.push({ src: f.info.source, info: Buffer.from(f.info.discoveryInfo ?? new Uint8Array(0)).toString('hex') })
        ctx.st.send(xidCommand(0xFF, { info: TESTER_DISCOVERY_INFO }))
        await ctx.st.wait(200)
      }
      ctx.should(seen.every(s => s.src === seen[0].src), `the device address changed: ${seen.map(s => s.src.toString(16)).join(', ')}`)
      ctx.should(seen.every(s => s.info === seen[0].info), 'the discovery info changed between discoveries')
    },
  },
  {
    id: 'LAP/SEC/XID/CA-01', level: 'INFO', clause: 'IrLAP 1.1 6.11, 6.5 (discovery while connected)',
    title: 'What the device does with a discovery XID while it is connected',
    run: async ctx => {
      const link = await ctx.connect()
      ctx.st.send(xidCommand(0, { slots: 1 }))
      const r = await ctx.st.next(400, () => false)
      ctx.info(r === undefined ? 'ignores it' : `answers ${r.frame?.kind ?? 'garbage'}${r.frame !== undefined && 'nr' in r.frame ? ` nr=${r.frame.nr}` : ''}`)
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/CON/BV-10', level: 'MUST', clause: 'IrLAP 1.1 6.4.1 (each connection gets the address its SNRM gives)',
    title: 'A new connection after DISC runs on the new connection address',
    run: async ctx => {
      for (const caddr of [0x11, 0x6A]) {
        const link = await ctx.connect({ caddr })
        const turn = await link.exchange()
        ctx.must(turn.every(r => r.frame?.caddr === caddr), `answers on 0x${turn[0].frame?.caddr.toString(16) ?? '?'}, the SNRM gave 0x${caddr.toString(16)}`)
        await link.disconnect()
      }
    },
  },
  {
    id: 'LAP/SEC/CON/BI-08', level: 'MUST', clause: 'IrLAP 1.1 5.1 (0x7f is the broadcast connection address; no link uses it)',
    title: 'A SNRM giving the broadcast connection address 0x7f is not accepted',
    run: async ctx => {
      ctx.st.send({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: ctx.profile.deviceAddress, connAddr: 0x7F, qos: testerQos() } })
      const r = await ctx.st.quiet(800)
      // A device that took it is left in NDM again (on whatever address it answered), so later cases judge it afresh.
      if (r?.frame?.kind === 'UA') { ctx.st.send({ kind: 'DISC', caddr: r.frame.caddr, command: true, pf: true }, 'cleanup'); await ctx.st.collect(400) }
      ctx.must(r === undefined || r.frame?.kind === 'DM', `a SNRM for connection address 0x7f got ${r?.frame?.kind ?? 'garbage'}`)
    },
  },
  {
    id: 'LAP/SEC/CON/BI-09', level: 'MUST', clause: 'IrLAP 1.1 6.6 (parameter list); hostile input',
    title: 'A SNRM whose last parameter is cut short (PL 2, one byte) does not break the device: refused or accepted, the next SNRM works',
    run: async ctx => {
      const head = emitFrame({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: ctx.profile.deviceAddress, connAddr: 0x2D } })
      ctx.st.send(Uint8Array.from([...head.subarray(0, 11), 0x01, 0x01, 0x02, 0x84, 0x02, 0x01]), 'window PV claims 2 bytes, has 1')
      const r = await ctx.st.next(ANSWER_MS)
      ctx.info(`answered ${r?.frame?.kind ?? 'nothing'}`)
      if (r?.frame?.kind === 'UA') { ctx.st.send({ kind: 'DISC', caddr: 0x2D, command: true, pf: true }); await ctx.st.collect(400) }
      const link = await ctx.connect()
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-09', level: 'MUST', clause: 'IrLAP 1.1 6.5.3 (I frames without P are acknowledged at the next poll)',
    title: 'An I frame without P, then RR with P: the answer acknowledges the I frame',
    run: async ctx => {
      const link = await ctx.connect()
      link.sendI(lmData(0), false, 'no poll')
      const turn = await link.exchange()
      ctx.must(nrOf(turn) === 1, `the poll after an unpolled I frame says nr=${nrOf(turn) ?? '?'}, want 1`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-10', level: 'MUST', needs: ['window>1'], clause: 'IrLAP 1.1 6.6.5 (window), 6.5.3',
    title: 'Two I frames in one turn (the device\'s window allows it) are both acknowledged',
    run: async ctx => {
      const link = await ctx.connect()
      link.sendI(lmData(0), false)
      const turn = await link.exchange(lmData(1))
      ctx.must(nrOf(turn) === 2, `after two I frames the answer says nr=${nrOf(turn) ?? '?'}, want 2`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-11', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 5.3 (N(S) counts the frames sent, modulo 8)',
    title: 'The device numbers its I frames 0, 1, 2, ... modulo 8 (ten frames, through the wrap)',
    run: async ctx => {
      const link = await ctx.connect()
      const frames = await deviceFrames(ctx, link, 10)
      ctx.must(frames.length >= 10, `only ${frames.length} I frames came`)
      const ns = frames.map(f => f.ns)
      ctx.must(ns.every((n, i) => n === i % 8), `N(S) sequence ${ns.join(',')}`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-12', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 5.3 (N(R) in I frames acknowledges what was received)',
    title: 'The N(R) of the device\'s I frames acknowledges every I frame we sent before',
    run: async ctx => {
      const link = await ctx.connect()
      const echo = await openEcho(ctx, link, { credit: 10 })
      const from = link.frames.length
      await echo.send(ascii('acknowledge me'))
      const vs = link.vs
      const after = (): I[] => link.frames.slice(from).map(r => r.frame).filter((f): f is I => f?.kind === 'I')
      for (let i = 0; i < 20 && after().length === 0; i++) await link.exchange()
      const last = after().pop()
      ctx.must(last !== undefined, 'no I frame came back')
      ctx.must(last?.nr === vs, `the device's I frame says nr=${last?.nr ?? '?'}, we had sent up to ${(vs + 7) % 8}`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-13', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 6.5.3 (acknowledged frames are not sent again)',
    title: 'Once acknowledged, the device\'s I frames are not retransmitted',
    run: async ctx => {
      const link = await ctx.connect()
      const frames = await deviceFrames(ctx, link, 3)
      for (let i = 0; i < 3; i++) await link.exchange()
      ctx.must(frames.length >= 3, `only ${frames.length} I frames came`)
      const all = link.frames.map(r => r.frame).filter((f): f is I => f?.kind === 'I').map(f => `${f.ns}:${Buffer.from(f.info).toString('hex')}`)
      ctx.must(new Set(all).size === all.length, `an acknowledged I frame came again (${all.length} frames, ${new Set(all).size} distinct)`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BI-03', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 6.5.3 (a poll whose N(R) is behind V(S) reports lost frames: retransmit from N(R))',
    title: 'An RR whose N(R) does not acknowledge the device\'s last I frame gets that frame again',
    run: async ctx => {
      const link = await ctx.connect()
      const echo = await openEcho(ctx, link, { credit: 10 })
      await echo.send(ascii('lost on the way'))
      // The echo may come in the very turn that answered our data (as Linux and irdakit reply).
      let got: I | undefined = iFrames(link.turns[link.turns.length - 1] ?? []).find(f => f.info.length > 3)
      for (let i = 0; i < 20 && got === undefined; i++) got = iFrames(await link.exchange()).find(f => f.info.length > 3)
      ctx.must(got !== undefined, 'no I frame came back')
      link.sendS('RR', true, (got as I).ns)
      const turn = await link.answer()
      ctx.must(iFrames(turn).some(f => f.ns === (got as I).ns && Buffer.from(f.info).equals(Buffer.from((got as I).info))), `RR nr=${(got as I).ns} did not bring I ns=${(got as I).ns} again`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/ANY/UI/BV-01', level: 'MUST', clause: 'IrLAP 1.1 6.5.3 (a UI frame with P in NRM is a poll)',
    title: 'A UI frame with P on the connection address in NRM is answered with F',
    run: async ctx => {
      const link = await ctx.connect()
      ctx.st.send({ kind: 'UI', caddr: link.caddr, command: true, pf: true, info: Uint8Array.of(0x70, 0x70, 0x01, 0x41) })
      const r = await ctx.st.expect({ command: false, caddr: link.caddr }, ANSWER_MS, 'a polled UI frame is answered')
      ctx.must(r.frame.pf, 'the answer to a polled UI frame has F clear')
      await link.disconnect()
    },
  },
  {
    id: 'LAP/ANY/TEST/BI-02', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.6 (a TEST response is never answered)',
    title: 'A TEST response from another station gets no reply',
    run: async ctx => {
      ctx.st.send({ kind: 'TEST', caddr: BROADCAST_CADDR, command: false, pf: true, info: { source: TESTER_ADDRESS, destination: ctx.profile.deviceAddress, data: ascii('a response') } })
      await ctx.st.expectSilence(600, 'a TEST response is not a command')
    },
  },
  {
    id: 'LAP/ANY/TEST/BV-42', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.6, 6.12',
    title: 'TEST commands with 1 and 200 bytes of data echo them exactly',
    run: async ctx => {
      for (const n of [1, 200]) {
        const data = bytes(n, n)
        ctx.st.send({ kind: 'TEST', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: BROADCAST_DEVICE, data } })
        await ctx.st.expect({ kind: 'TEST', command: false, info: { data } }, ANSWER_MS, `a TEST with ${n} bytes is echoed`)
        await ctx.st.wait(50)
      }
    },
  },
]
