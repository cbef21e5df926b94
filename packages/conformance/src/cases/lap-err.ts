/*! IrLAP frame reject, disconnection, TEST and UI as the secondary (1995 IS36-IS39). */
import { BROADCAST_CADDR, BROADCAST_DEVICE, type LapFrame } from '@irdakit/lap'
import type { CaseContext, CaseDef } from '../case.js'
import { TESTER_ADDRESS, testerQos, xidCommand, ANSWER_MS, type PrimaryLink } from '../link.js'

type Frmr = LapFrame & { kind: 'FRMR' }

/** Sends an invalid-N(R) RR without P, then polls: the device must be in the frame-reject condition. */
async function invalidNr (ctx: CaseContext, link: PrimaryLink): Promise<Frmr> {
  link.sendS('RR', false, 5)
  link.sendS('RR', true, 0)
  const r = await ctx.st.expect({ kind: 'FRMR', command: false, caddr: link.caddr }, ANSWER_MS, 'a frame with an invalid N(R) puts the secondary in the frame reject condition: it answers the next poll with FRMR (IrLAP 1.1 5.2.2.4, 6.5.6)')
  return r.frame as Frmr
}

const testCmd = (destination: number, data: Uint8Array, pf = true): LapFrame => ({ kind: 'TEST', caddr: BROADCAST_CADDR, command: true, pf, info: { source: TESTER_ADDRESS, destination, data } })
const payload = Uint8Array.from({ length: 32 }, (_, i) => 0x30 + i)

export const LAP_ERR: CaseDef[] = [
  {
    id: 'LAP/SEC/ERR/BI-36', legacy: 'IS36', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.4 (FRMR, Z bit), 6.5.6',
    title: 'An RR with an invalid N(R) and P=0 leads to the error state: the next poll is answered with FRMR, Z set, the rejected control echoed',
    run: async ctx => {
      const link = await ctx.connect()
      const f = await invalidNr(ctx, link)
      ctx.must(f.info.z, 'the FRMR does not set Z (invalid N(R))')
      ctx.should(f.info.rejectedControl === 0xA1, `the FRMR names control 0x${f.info.rejectedControl.toString(16)}, the rejected frame was 0xa1`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/ERR/BI-37', legacy: 'IS37', level: 'MUST', clause: 'IrLAP 1.1 6.5.6 (the secondary repeats FRMR until reset or disconnect)',
    title: 'In the error state every further poll is answered with FRMR again',
    run: async ctx => {
      const link = await ctx.connect()
      await invalidNr(ctx, link)
      link.sendS('RR', true, 0)
      await ctx.st.expect({ kind: 'FRMR', command: false }, ANSWER_MS, 'the secondary stays in the error state and repeats FRMR')
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/ERR/BI-38', legacy: 'IS38', level: 'MUST', clause: 'IrLAP 1.1 6.5.6, 6.4.4',
    title: 'From the error state DISC brings the device back to NDM: UA or DM, then polls go unanswered and discovery works',
    run: async ctx => {
      const link = await ctx.connect()
      link.sendS('RR', false, 5)
      await ctx.st.wait(50)
      await link.disconnect()
      ctx.st.send({ kind: 'RR', caddr: link.caddr, command: true, pf: true, nr: 0 })
      await ctx.st.expectSilence(600, 'after DISC the device is in NDM and ignores polls')
      ctx.st.send(xidCommand(0))
      await ctx.st.expect({ kind: 'XID', command: false }, 300, 'after DISC the device answers discovery')
      await ctx.st.wait(150)
    },
  },
  {
    id: 'LAP/SEC/ERR/BI-02', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.4 (FRMR, Y bit: information field too long)',
    title: 'An I frame longer than the negotiated data size is rejected with FRMR, Y set',
    run: async ctx => {
      if (ctx.profile.dataSize >= 2048) ctx.notApplicable('the device takes 2048-byte frames, the largest: a longer one overruns any receiver (a bad frame, not a long one)')
      const link = await ctx.connect()
      const n = ctx.profile.dataSize + 1
      ctx.st.send({ kind: 'I', caddr: link.caddr, command: true, pf: true, ns: 0, nr: 0, info: new Uint8Array(n) }, `${n} bytes, data size ${ctx.profile.dataSize}`)
      const r = await ctx.st.expect({ command: false }, ANSWER_MS + n * 10000 / 9600, 'an over-long I frame is answered')
      ctx.must(r.frame.kind === 'FRMR' && r.frame.info.y, `an I frame of ${n} bytes (data size ${ctx.profile.dataSize}) answered with ${r.frame.kind}, not FRMR with Y`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/ERR/BI-03', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.4 (FRMR, W bit: undefined control field)',
    title: 'A command with an undefined control field is rejected with FRMR, W set',
    run: async ctx => {
      const link = await ctx.connect()
      ctx.st.send(Uint8Array.of((link.caddr << 1) | 1, 0x33), 'U frame 0x23 with P: undefined')
      const r = await ctx.st.expect({ command: false }, ANSWER_MS, 'a command with an undefined control field is answered')
      ctx.must(r.frame.kind === 'FRMR' && r.frame.info.w, `answered with ${r.frame.kind}, not FRMR with W`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DCN/BV-01', level: 'MUST', clause: 'IrLAP 1.1 6.4.4 (DISC, UA), 6.3',
    title: 'DISC in NRM is answered with UA, after which the device is in NDM',
    run: async ctx => {
      const link = await ctx.connect()
      await link.exchange()
      link.closed = true
      ctx.st.send({ kind: 'DISC', caddr: link.caddr, command: true, pf: true })
      await ctx.st.expect({ kind: 'UA', command: false, caddr: link.caddr, pf: true }, ANSWER_MS, 'DISC in NRM gets UA')
      await link.contention()
      ctx.st.send({ kind: 'RR', caddr: link.caddr, command: true, pf: true, nr: 0 })
      await ctx.st.expectSilence(600, 'after UA to DISC the link is gone')
    },
  },
  {
    id: 'LAP/SEC/DCN/BV-02', level: 'SHOULD', clause: 'IrLAP 1.1 6.4.4 (a repeated DISC after the link is gone gets DM)',
    title: 'A DISC repeated after the link went down (our UA lost) is answered with DM',
    run: async ctx => {
      const link = await ctx.connect()
      await link.disconnect()
      ctx.st.send({ kind: 'DISC', caddr: link.caddr, command: true, pf: true }, 'again, as if the UA was lost')
      const r = await ctx.st.quiet(ANSWER_MS)
      ctx.should(r?.frame?.kind === 'DM' || r?.frame?.kind === 'UA', `a repeated DISC got ${r?.frame?.kind ?? 'no answer'}; the primary then retries until N2`)
      ctx.info(`repeated DISC answered with ${r?.frame?.kind ?? 'nothing'}`)
    },
  },
  {
    id: 'LAP/SEC/DCN/TI-01', level: 'MUST', clause: 'IrLAP 1.1 6.6.8 (link disconnect time), 6.13 (WD timer)',
    title: 'With a 3 s link disconnect time negotiated, a secondary that hears nothing leaves the link',
    run: async ctx => {
      const link = await ctx.connect({ qos: testerQos({ linkDisconnectMs: 3000 }) })
      await link.exchange()
      ctx.st.note('silence: the tester stops polling')
      await ctx.st.collect(3000 + 2000)
      ctx.st.send({ kind: 'RR', caddr: link.caddr, command: true, pf: true, nr: link.vr })
      const r = await ctx.st.next(600)
      // Still on the link: the runner's cleanup sends DISC, so later cases judge the device afresh.
      link.closed = r === undefined
      ctx.must(r === undefined, `5 s after the last poll (3 s negotiated) the device still answered with ${r?.frame?.kind ?? '?'}`)
      ctx.st.send(xidCommand(0))
      await ctx.st.expect({ kind: 'XID', command: false }, 300, 'after dropping the link the device answers discovery')
      await ctx.st.wait(150)
    },
  },
  {
    id: 'LAP/ANY/TEST/BV-39', legacy: 'IS39', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.6 (TEST), 6.12',
    title: 'A broadcast TEST command in NDM gets a TEST response: same data, addresses swapped, F set',
    run: async ctx => {
      ctx.st.send(testCmd(BROADCAST_DEVICE, payload))
      const r = await ctx.st.expect({ kind: 'TEST', command: false, pf: true }, ANSWER_MS, 'a broadcast TEST is answered')
      const f = r.frame as LapFrame & { kind: 'TEST' }
      ctx.must(Buffer.from(f.info.data).equals(Buffer.from(payload)), 'the TEST response carries other data')
      ctx.must(f.info.source === ctx.profile.deviceAddress && f.info.destination === TESTER_ADDRESS, 'the TEST response addresses are not device > tester')
    },
  },
  {
    id: 'LAP/ANY/TEST/BV-40', level: 'MUST', clause: 'IrLAP 1.1 6.12 (TEST destination address)',
    title: 'TEST to the device\'s own address is answered; TEST to another address is not',
    run: async ctx => {
      ctx.st.send(testCmd(0x0BADCAFE, payload))
      await ctx.st.expectSilence(500, 'a TEST for another device is not answered')
      ctx.st.send(testCmd(ctx.profile.deviceAddress, payload))
      await ctx.st.expect({ kind: 'TEST', command: false, info: { data: payload } }, ANSWER_MS, 'a TEST to the device\'s address is answered with the same data')
    },
  },
  {
    id: 'LAP/ANY/TEST/BI-01', level: 'SHOULD', clause: 'IrLAP 1.1 5.2.2.6 (TEST; as in HDLC, a response is due to a command with P)',
    title: 'A TEST command without P gets no response',
    run: async ctx => {
      ctx.st.send(testCmd(BROADCAST_DEVICE, payload, false))
      const r = await ctx.st.quiet(600)
      ctx.should(r === undefined, `TEST with P=0 was answered with ${r?.frame?.kind ?? '?'}: a response without a poll`)
    },
  },
  {
    id: 'LAP/ANY/TEST/BV-41', level: 'SHOULD', clause: 'IrLAP 1.1 5.2.2.6 (TEST in NRM)',
    title: 'A TEST command with P on the connection address in NRM is answered with the same data',
    run: async ctx => {
      const link = await ctx.connect()
      ctx.st.send({ kind: 'TEST', caddr: link.caddr, command: true, pf: true, info: { data: payload } })
      const r = await ctx.st.next(ANSWER_MS)
      ctx.should(r?.frame?.kind === 'TEST' && Buffer.from(r.frame.info.data).equals(Buffer.from(payload)), `TEST in NRM answered with ${r?.frame?.kind ?? 'nothing'}`)
      if (r?.frame?.kind !== 'TEST' && r?.frame !== undefined && !r.frame.pf) await ctx.st.collect(ANSWER_MS)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/ANY/UI/BI-01', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.5 (UI is never answered)',
    title: 'A UI frame with P in NDM (connectionless data) gets no response',
    run: async ctx => {
      ctx.st.send({ kind: 'UI', caddr: BROADCAST_CADDR, command: true, pf: true, info: Uint8Array.of(0x70, 0x70, 0x01, 0x68, 0x69) })
      await ctx.st.expectSilence(600, 'UI is unnumbered information without a response')
    },
  },
]
