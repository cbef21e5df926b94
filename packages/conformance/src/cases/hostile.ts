/*!
 * Frames and PDUs out of place: responses where commands belong, unpolled commands, unsolicited
 * confirms, reserved selectors. Each must be ignored (or refused) without harm to the link.
 */
import { BROADCAST_CADDR, emitFrame, type LapFrame } from '@irdakit/lap'
import { emitLmpPdu } from '@irdakit/lmp'
import { TtpConnectPdu } from '@irdakit/ttp'
import type { CaseContext, CaseDef } from '../case.js'
import { TESTER_ADDRESS, ANSWER_MS, testerQos } from '../link.js'
import { ascii, iasQuery, lmConnect, sendPdu } from '../upper.js'
import { bytes, openEcho } from './echo.js'

const EMPTY = new Uint8Array(0)

/** NDM: a frame that is not for a station in NDM gets silence. */
function ndmSilence (id: string, title: string, clause: string, frame: (ctx: CaseContext) => LapFrame | Uint8Array): CaseDef {
  return {
    id, level: 'MUST', clause, title,
    run: async ctx => {
      ctx.st.send(frame(ctx))
      const r = await ctx.st.quiet(600)
      // A device that took the frame for a SNRM is left in NDM again, so later cases judge it afresh.
      if (r?.frame?.kind === 'UA') { ctx.st.send({ kind: 'DISC', caddr: r.frame.caddr, command: true, pf: true }, 'cleanup'); await ctx.st.collect(400) }
      ctx.must(r === undefined, `${title}: got ${r?.frame?.kind ?? 'a frame that does not decode'}`)
    },
  }
}

export const HOSTILE: CaseDef[] = [
  ndmSilence('LAP/SEC/CON/BI-10', 'A SNRM without an information field (no addresses) gets no answer in NDM', 'IrLAP 1.1 6.4.1 (the SNRM of a connection carries the addresses)',
    () => Uint8Array.of(0xFF, 0x93)),
  ndmSilence('LAP/SEC/CON/BI-11', 'A SNRM sent as a response (C/R clear, that is RNRM) gets no answer in NDM', 'IrLAP 1.1 5.1 (C/R), 5.2.2.2',
    // Addressed to the device, with parameters: only the C/R bit makes it wrong.
    ctx => Uint8Array.from([0xFE, ...emitFrame({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: ctx.profile.deviceAddress, connAddr: 0x22, qos: testerQos() } }).subarray(1)])),
  ndmSilence('LAP/SEC/CON/BI-12', 'An unsolicited UA in NDM gets no answer', 'IrLAP 1.1 6.3 (a UA answers our SNRM or DISC; none is outstanding)',
    () => ({ kind: 'UA', caddr: 0x22, command: false, pf: true })),
  ndmSilence('LAP/SEC/CON/BI-13', 'An unsolicited DM in NDM gets no answer', 'IrLAP 1.1 6.3',
    () => ({ kind: 'DM', caddr: 0x22, command: false, pf: true })),
  {
    id: 'LAP/SEC/DATA/BI-04', level: 'MUST', clause: 'IrLAP 1.1 5.1 (a secondary takes commands only)',
    title: 'In NRM, an I frame sent as a response (C/R clear) is ignored: no answer, no acknowledgement',
    run: async ctx => {
      const link = await ctx.connect()
      ctx.st.send({ kind: 'I', caddr: link.caddr, command: false, pf: true, ns: 0, nr: 0, info: ascii('not a command') })
      await ctx.st.expectSilence(600, 'a response frame is not for the secondary')
      const turn = await link.exchange()
      const f = turn[turn.length - 1].frame
      ctx.must(f !== undefined && 'nr' in f && f.nr === 0, 'the response-shaped I frame was acknowledged')
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BI-05', level: 'MUST', clause: 'IrLAP 1.1 6.5.3 (only a frame with P gives the secondary the line)',
    title: 'An RR command without P gets no answer',
    run: async ctx => {
      const link = await ctx.connect()
      link.sendS('RR', false)
      await ctx.st.expectSilence(600, 'the secondary may send only when polled')
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-14', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 6.5.3 (F on the last frame of the secondary\'s turn only)',
    title: 'With window 7, the device sets F on the last frame of each turn and on no other',
    run: async ctx => {
      const link = await ctx.connect({ qos: testerQos({ windowSize: 7, dataSize: 64 }) })
      const echo = await openEcho(ctx, link, { credit: 20 })
      for (let i = 0; i < 2 && echo.sendCredit > 0; i++) await echo.send(bytes(Math.min(300, ctx.profile.dataSize - 3), i), { give: 10 })
      await echo.idle(6)
      for (const turn of link.turns) {
        ctx.must(turn[turn.length - 1].frame?.pf === true, 'a turn ended without F')
        ctx.must(turn.slice(0, -1).every(r => r.frame?.pf === false), 'F set before the last frame of a turn')
      }
      ctx.must(link.turns.some(t => t.length > 1), 'no turn had more than one frame: nothing was checked')
      await link.disconnect()
    },
  },
  {
    id: 'LAP/ANY/TEST/BV-43', level: 'MUST', clause: 'IrLAP 1.1 5.2.2.6 (TEST data may be empty)',
    title: 'A TEST command with no data is answered with a TEST response with no data',
    run: async ctx => {
      ctx.st.send({ kind: 'TEST', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: TESTER_ADDRESS, destination: 0xFFFFFFFF, data: EMPTY } })
      const r = await ctx.st.expect({ kind: 'TEST', command: false }, ANSWER_MS, 'an empty TEST is answered')
      ctx.must(r.frame.kind === 'TEST' && r.frame.info.data.length === 0, 'the answer to an empty TEST carries data')
    },
  },
  {
    id: 'LMP/SRV/CON/BI-05', level: 'MUST', clause: 'IrLMP 1.1 3.3 (selectors 0x71-0x7e are reserved)',
    title: 'An LM connect to a reserved selector (0x71) is not confirmed',
    run: async ctx => {
      const link = await ctx.connect()
      await sendPdu(link, { kind: 'connect', dlsap: 0x71, slsap: 0x55, userData: EMPTY })
      const r = await link.until(info => info.length >= 3 && (info[0] & 0x7F) === 0x55 && (info[1] & 0x7F) === 0x71 ? info : undefined, 1500, 'an answer').catch(() => undefined)
      ctx.must(r === undefined || r[2] !== 0x81, 'a connect to reserved selector 0x71 was confirmed')
      ctx.info(r === undefined ? 'ignored' : `answered opcode 0x${r[2].toString(16)}`)
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BI-06', level: 'MUST', clause: 'IrLMP 1.1 3.3 (selector 0x70 is for connectionless data only)',
    title: 'An LM connect from the connectionless selector (0x70) to IAS is not confirmed',
    run: async ctx => {
      const link = await ctx.connect()
      // IAS (0x00) takes every connect, so only the source selector can make this one wrong.
      await sendPdu(link, { kind: 'connect', dlsap: 0x00, slsap: 0x70, userData: EMPTY })
      const r = await link.until(info => info.length >= 3 && (info[0] & 0x7F) === 0x70 && (info[1] & 0x7F) === 0x00 ? info : undefined, 1500, 'an answer').catch(() => undefined)
      ctx.must(r === undefined || r[2] !== 0x81, 'a connect from connectionless selector 0x70 was confirmed')
      ctx.info(r === undefined ? 'ignored' : `answered opcode 0x${r[2].toString(16)}`)
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/DCN/BI-01', level: 'MUST', clause: 'IrLMP 1.1 4.1.4; hostile input',
    title: 'A disconnect for a connection that does not exist is ignored; IAS still answers',
    run: async ctx => {
      const link = await ctx.connect()
      await sendPdu(link, { kind: 'disconnect', dlsap: 0x00, slsap: 0x66, reason: 1, userData: EMPTY })
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode}`)
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BI-08', level: 'MUST', clause: 'IrLMP 1.1 4.1.2 (a connect confirm answers our connect; none is outstanding); hostile input',
    title: 'An unsolicited connect confirm is ignored; IAS still answers',
    run: async ctx => {
      const link = await ctx.connect()
      await sendPdu(link, { kind: 'connect-confirm', dlsap: 0x00, slsap: 0x67, userData: EMPTY })
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode}`)
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/ACC/BI-01', level: 'MUST', clause: 'IrLMP 1.1 4.1.6 (an access mode confirm answers a request); hostile input',
    title: 'An unsolicited access mode confirm is ignored; IAS still answers',
    run: async ctx => {
      const link = await ctx.connect()
      link.sendI(emitLmpPdu({ kind: 'access-mode-confirm', dlsap: 0x00, slsap: 0x68, status: 'success', mode: 'exclusive' }))
      await link.answer()
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode}`)
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/DATA/BI-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.2 (credit is a 7-bit field); hostile input',
    title: 'A data PDU granting the largest credit (127) does not break the credit accounting of the device: data still echoes',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 4 })
      await t.send(ascii('big credit'), { give: 127 })
      await t.receive(1)
      ctx.must(t.sdus.length === 1 && t.overruns.length === 0, `echo ${t.sdus.length}, ${t.overruns.join('; ')}`)
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CON/BI-03', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.1 (one connection per selector pair); hostile input',
    title: 'A second TinyTP connect on a selector pair already connected does not break the first connection',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 8 })
      const c = await lmConnect(link, t.dlsap, t.slsap, TtpConnectPdu.emit({ credit: 4, userData: EMPTY })).catch(() => undefined)
      ctx.info(`the repeated connect got ${c?.kind ?? 'no answer'}`)
      if (c?.kind === 'disconnect') return
      await t.send(ascii('still here'))
      await t.receive(1)
      ctx.must(t.sdus.some(s => new TextDecoder().decode(s) === 'still here'), 'the first connection stopped echoing')
      await t.disconnect()
      await link.disconnect()
    },
  },
]
