/*! IrLMP as the server (the 1995 LM and LD series): LSAP connections over the tester's link. */
import { DisconnectReason, emitLmpPdu, type LmpPdu } from '@irdakit/lmp'
import { TtpConnectPdu } from '@irdakit/ttp'
import type { CaseDef } from '../case.js'
import { expectPdu, lmConnect, sendPdu, ttpLsapOf, iasOn, iasQuery, TESTER_LSAP, ascii } from '../upper.js'

const EMPTY = new Uint8Array(0)

export const LMP: CaseDef[] = [
  {
    id: 'LMP/SRV/CON/BV-01', level: 'MUST', clause: 'IrLMP 1.1 4.1.2 (connect, connect confirm)',
    title: 'An LM connect to the IAS selector is confirmed, selectors swapped',
    run: async ctx => {
      const link = await ctx.connect()
      const c = await lmConnect(link, 0x00, 0x55)
      ctx.must(c.kind === 'connect-confirm', `LM connect to IAS answered with ${c.kind}`)
      await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: 0x55, reason: DisconnectReason.USER_REQUEST, userData: EMPTY })
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BI-07', legacy: 'LM7', level: 'MUST', clause: 'IrLMP 1.1 4.1.2, 4.1.4 (disconnect: no available client)',
    title: 'An LM connect to a selector nobody listens on gets a disconnect',
    run: async ctx => {
      const link = await ctx.connect()
      const c = await lmConnect(link, 0x6E, 0x55)
      ctx.must(c.kind === 'disconnect', `LM connect to the unused selector 0x6e answered with ${c.kind}`)
      if (c.kind === 'disconnect') ctx.info(`reason 0x${c.reason.toString(16)}`)
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/DATA/BI-01', level: 'SHOULD', clause: 'IrLMP 1.1 4.1.4 (reason 0x06: data sent on a disconnected LSAP)',
    title: 'Data on a selector pair with no connection is answered with a disconnect, reason 0x06',
    run: async ctx => {
      const link = await ctx.connect()
      await sendPdu(link, { kind: 'data', dlsap: 0x00, slsap: 0x56, data: ascii('nobody asked') })
      const got = await link.until(info => info[0] === 0x80 + 0x56 && info[1] === 0x00 && info[2] === 0x02 ? info : undefined, 1500, 'a disconnect for data on a disconnected LSAP').catch(() => undefined)
      ctx.should(got !== undefined, 'no disconnect came for data on an unconnected selector pair')
      ctx.should(got === undefined || got[3] === DisconnectReason.DATA_ON_DISCONNECTED_LSAP, `the disconnect reason is 0x${(got?.[3] ?? 0).toString(16)}, not 0x06`)
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/DCN/BV-01', level: 'MUST', clause: 'IrLMP 1.1 4.1.4 (disconnect), 4.1.2',
    title: 'After an LM disconnect the same selector pair can connect again',
    run: async ctx => {
      const link = await ctx.connect()
      for (let i = 0; i < 2; i++) {
        const c = await lmConnect(link, 0x00, 0x57)
        ctx.must(c.kind === 'connect-confirm', `connect ${i + 1} answered with ${c.kind}`)
        await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: 0x57, reason: DisconnectReason.USER_REQUEST, userData: EMPTY })
      }
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BI-02', level: 'MUST', clause: 'IrLMP 1.1 4.1 (unknown opcodes); hostile input',
    title: 'A control PDU with an unknown opcode is ignored: the link and IAS still work',
    run: async ctx => {
      const link = await ctx.connect()
      link.sendI(Uint8Array.of(0x80, 0x58, 0x7E, 0x00), true, 'opcode 0x7e')
      await link.answer()
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode} after the unknown opcode`)
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BI-03', level: 'MUST', clause: 'IrLMP 1.1 4.1 (the LM-MUX header is 2 bytes); hostile input',
    title: 'An I frame of one byte (shorter than the LM-MUX header) is acknowledged and ignored; IAS still works',
    run: async ctx => {
      const link = await ctx.connect()
      const turn = await link.exchange(Uint8Array.of(0x00))
      const f = turn[turn.length - 1].frame
      ctx.must(f !== undefined && 'nr' in f && f.nr === link.vs, 'the one-byte I frame was not acknowledged at IrLAP level')
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode} after the runt PDU`)
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/ACC/BV-01', level: 'SHOULD', needs: ['echo'], clause: 'IrLMP 1.1 4.1.5, 4.1.6 (access mode, access mode confirm)',
    title: 'An access mode request (exclusive) gets an access mode confirm (success or unsupported)',
    run: async ctx => {
      const link = await ctx.connect()
      const lsap = await ttpLsapOf(link, ctx.profile.echoClass as string)
      if (lsap === undefined) return ctx.notApplicable('no echo service in IAS')
      const c = await lmConnect(link, lsap, TESTER_LSAP.TTP, TtpConnectPdu.emit({ credit: 4, userData: EMPTY }))
      ctx.must(c.kind === 'connect-confirm', 'the echo service refused the connection')
      await sendPdu(link, { kind: 'access-mode', dlsap: lsap, slsap: TESTER_LSAP.TTP, mode: 'exclusive' })
      const r = await expectPdu(link, p => p.kind === 'access-mode-confirm', 'an access mode confirm', 1500).catch(() => undefined) as (LmpPdu & { kind: 'access-mode-confirm' }) | undefined
      ctx.should(r !== undefined, 'no access mode confirm came (Linux 4.9 does not implement access modes)')
      if (r !== undefined) ctx.info(`status ${r.status}, mode ${r.mode}`)
      if (r?.status === 'success') await sendPdu(link, { kind: 'access-mode', dlsap: lsap, slsap: TESTER_LSAP.TTP, mode: 'multiplexed' })
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/CA-01', level: 'INFO', needs: ['echo'], clause: 'Minimal IrDA 1.0 (Lite IrLMP: one application connection besides IAS)',
    title: 'Lite or full IrLMP: are two application connections taken at once?',
    run: async ctx => {
      const link = await ctx.connect()
      const lsap = await ttpLsapOf(link, ctx.profile.echoClass as string)
      if (lsap === undefined) return ctx.notApplicable('no echo service in IAS')
      const a = await lmConnect(link, lsap, 0x60, TtpConnectPdu.emit({ credit: 4, userData: EMPTY }))
      ctx.must(a.kind === 'connect-confirm', 'the first connection to the echo service was refused')
      // A service that takes one client at a time (Linux's echosrv: accept, echo, accept) answers the second only later.
      const b = await lmConnect(link, lsap, 0x61, TtpConnectPdu.emit({ credit: 4, userData: EMPTY })).catch(() => undefined)
      ctx.info(b?.kind === 'connect-confirm' ? 'full IrLMP: a second application connection is taken' : b === undefined ? 'a second application connection was neither taken nor refused within 3 s (the service answers it once it accepts: one client at a time)' : 'Lite IrLMP: a second application connection is refused')
      link.sendI(emitLmpPdu({ kind: 'disconnect', dlsap: lsap, slsap: 0x60, reason: 1, userData: EMPTY }), false)
      await sendPdu(link, { kind: 'disconnect', dlsap: lsap, slsap: 0x61, reason: 1, userData: EMPTY })
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/DCN/CA-02', level: 'INFO', clause: 'IrLMP 1.1 3.4.3 (the link is released when the last LSAP connection ends)',
    title: 'After the last LSAP connection ends, does the device ask to drop the link (RD), and when?',
    run: async ctx => {
      const link = await ctx.connect()
      await iasQuery(link, 'Device', 'DeviceName')
      const start = ctx.st.now()
      for (let i = 0; i < 40; i++) {
        const turn = await link.exchange()
        if (turn.some(r => r.frame?.kind === 'RD')) { ctx.info(`RD ${(ctx.st.now() - start).toFixed(0)} ms after the last disconnect`); break }
        if (i === 39) ctx.info('no RD within 40 polls; the link stays up until the primary drops it')
        await ctx.st.wait(100)
      }
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BV-02', level: 'MUST', needs: ['echo'], clause: 'IrLMP 1.1 4.1.2 (connect user data, up to 60 bytes)',
    title: 'An LM connect carrying 60 bytes of user data (a TinyTP connect PDU and 59 bytes) is confirmed',
    run: async ctx => {
      const link = await ctx.connect()
      const lsap = await ttpLsapOf(link, ctx.profile.echoClass as string)
      if (lsap === undefined) return ctx.notApplicable('no echo service in IAS')
      const userData = TtpConnectPdu.emit({ credit: 4, userData: new Uint8Array(59).fill(0x55) })
      const c = await lmConnect(link, lsap, TESTER_LSAP.TTP, userData)
      ctx.must(c.kind === 'connect-confirm', `a connect with 60 bytes of user data got ${c.kind}`)
      await sendPdu(link, { kind: 'disconnect', dlsap: lsap, slsap: TESTER_LSAP.TTP, reason: 1, userData: EMPTY })
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BV-03', level: 'MUST', clause: 'IrLMP 1.1 3.3 (each LSAP connection is a pair of selectors)',
    title: 'Two IAS connections at once, from two client selectors, are both confirmed and both answer',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await lmConnect(link, 0, 0x5A)
      const b = await lmConnect(link, 0, 0x5B)
      ctx.must(a.kind === 'connect-confirm' && b.kind === 'connect-confirm', `answers ${a.kind}, ${b.kind}`)
      const qa = await iasOn(link, 'Device', 'DeviceName', { slsap: 0x5A })
      const qb = await iasOn(link, 'Device', 'NoSuchAttribute', { slsap: 0x5B })
      ctx.must(qa.returnCode === 0 && qb.returnCode === 2, `return codes ${qa.returnCode}, ${qb.returnCode}; want 0, 2`)
      link.sendI(emitLmpPdu({ kind: 'disconnect', dlsap: 0, slsap: 0x5A, reason: 1, userData: EMPTY }), false)
      await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: 0x5B, reason: 1, userData: EMPTY })
      await link.disconnect()
    },
  },
]
