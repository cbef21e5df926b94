/*! TinyTP (no 1995 test list exists): credit, segmentation and reassembly, connection parameters. */
import { emitLmpPdu } from '@irdakit/lmp'
import { TtpConnectPdu, TtpDataPdu } from '@irdakit/ttp'
import type { CaseDef } from '../case.js'
import { iasQuery, lmConnect, sendPdu, ttpLsapOf, TtpSession, TESTER_LSAP, ascii, concat } from '../upper.js'
import { testerQos } from '../link.js'
import { bytes, openEcho } from './echo.js'

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))

export const TTP: CaseDef[] = [
  {
    id: 'TTP/SRV/CON/BV-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.1 (connect PDU: P, initial credit, parameters)',
    title: 'A TinyTP connect is confirmed with a valid TinyTP connect PDU granting initial credit',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link)
      ctx.info(`initial credit ${t.peer.credit}${t.peer.maxSduSize !== undefined ? `, MaxSduSize ${t.peer.maxSduSize}` : ', no SAR'}`)
      ctx.should(t.peer.credit > 0, 'the device granted no initial credit')
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CRD/BV-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.2 (a sender never sends more data PDUs than its credit)',
    title: 'Granted one credit, the device sends one data PDU and waits; more credit lets the rest through',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 1 })
      const n = Math.min(3, t.sendCredit)
      ctx.must(n >= 2, `the device granted ${t.sendCredit} credit; the case needs 2`)
      for (let i = 0; i < n; i++) await t.send(ascii(`credit ${i}`))
      await t.idle(10)
      ctx.must(t.overruns.length === 0, t.overruns.join('; '))
      const before = t.sdus.length
      ctx.must(before <= 1, `${before} SDUs came back on 1 credit`)
      await t.send(new Uint8Array(0), { give: 10 })
      await t.receive(n)
      ctx.must(t.overruns.length === 0, t.overruns.join('; '))
      ctx.must(t.sdus.length === n, `${t.sdus.length} of ${n} echoes after more credit`)
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CRD/BV-02', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.2 (zero credit: no data until credit comes)',
    title: 'Connected with zero initial credit, the device sends no data until a credit-only PDU grants some',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 0 })
      await t.send(ascii('zero credit'))
      await t.idle(8)
      ctx.must(t.sdus.length === 0 && t.overruns.length === 0, `data came without credit: ${t.overruns.join('; ') || `${t.sdus.length} SDUs`}`)
      await t.send(new Uint8Array(0), { give: 4 })
      await t.receive(1)
      ctx.must(t.sdus.length === 1 && same(t.sdus[0], ascii('zero credit')), 'no echo after the credit-only PDU')
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CRD/BV-03', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.2 (the receiver returns credit as it consumes data)',
    title: 'The device returns credit: three times its initial credit in SDUs all get through and echo back',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 20 })
      const total = Math.min(30, Math.max(3, t.peer.credit * 3))
      let sent = 0
      for (let guard = 0; sent < total && guard < 200; guard++) {
        if (t.sendCredit > 0) { await t.send(ascii(`sdu ${sent}`), { give: 1 }); sent++ } else await t.idle(1)
      }
      ctx.must(sent === total, `only ${sent} of ${total} SDUs could be sent: the device stopped returning credit`)
      await t.receive(total, 10000)
      ctx.must(t.overruns.length === 0, t.overruns.join('; '))
      ctx.must(t.sdus.length === total, `${t.sdus.length} of ${total} echoes`)
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/DATA/BV-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2 (data transfer)',
    title: '1000 bytes in 100-byte SDUs echo back complete and in order',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 30 })
      const data = bytes(1000, 3)
      const seg = Math.min(100, ctx.profile.dataSize - 3)
      let off = 0
      for (let guard = 0; off < data.length && guard < 300; guard++) {
        if (t.sendCredit > 0) { await t.send(data.subarray(off, off + seg), { give: 1 }); off += seg } else await t.idle(1)
      }
      const want = data.length
      for (let i = 0; i < 40 && concat(t.sdus).length < want; i++) await t.receive(t.sdus.length + 1, 500)
      ctx.must(same(concat(t.sdus), data), `${concat(t.sdus).length} of ${want} bytes came back${concat(t.sdus).length === want ? ', different' : ''}`)
      ctx.must(t.overruns.length === 0, t.overruns.join('; '))
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/SAR/BV-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.3 (segmentation and reassembly, the M bit, MaxSduSize)',
    title: 'With SAR, an SDU sent in three segments (M set on all but the last) is reassembled and echoed whole',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 20, maxSduSize: 1024 }).catch((e: unknown) => {
        if (e instanceof Error && e.name === 'CaseVerdict' && /nothing came|left the link/.test(e.message)) return ctx.notApplicable('the echo service did not answer a connect offering SAR (see TTP/ANY/CON/BV-02)')
        throw e
      })
      if (t.peer.maxSduSize === undefined || t.peer.maxSduSize === 0) return ctx.notApplicable('the echo service offers no SAR (MaxSduSize 0 or absent: a stream service)')
      ctx.must(t.sendCredit >= 3, 'not enough credit for three segments')
      const sdu = bytes(150, 9)
      await t.send(sdu.subarray(0, 50), { more: true })
      await t.send(sdu.subarray(50, 100), { more: true })
      await t.send(sdu.subarray(100), { more: false, give: 5 })
      await t.receive(1)
      ctx.must(t.sdus.length === 1 && same(t.sdus[0], sdu), `got ${t.sdus.length} SDU(s) of ${t.sdus.map(s => s.length).join('/')} bytes, want one of 150`)
      ctx.must(t.pdus.slice(0, -1).every(p => p.more || p.length === 0), 'a segment before the last lacks M')
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CON/BV-02', level: 'MUST', needs: ['echo'], clause: 'IrLMP 1.1 4.1.2 (every connect indication is answered); TinyTP 1.1 2.2.1 (MaxSduSize is what the sender of the PDU reassembles)',
    title: 'A TinyTP connect offering SAR (MaxSduSize 1024) is answered: confirmed (with or without SAR) or refused',
    run: async ctx => {
      const link = await ctx.connect()
      const lsap = await ttpLsapOf(link, ctx.profile.echoClass as string)
      if (lsap === undefined) return ctx.notApplicable('no echo service in IAS')
      const c = await lmConnect(link, lsap, TESTER_LSAP.TTP, TtpConnectPdu.emit({ credit: 8, maxSduSize: 1024, userData: new Uint8Array(0) })).catch((e: unknown) => { ctx.must(false, `a connect offering SAR got no answer: ${(e as Error).message}`); throw e })
      ctx.info(`answered with ${c.kind}`)
      if (c.kind === 'connect-confirm') await sendPdu(link, { kind: 'disconnect', dlsap: lsap, slsap: TESTER_LSAP.TTP, reason: 1, userData: new Uint8Array(0) })
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CON/BI-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.1 (unknown parameters are ignored)',
    title: 'A connect PDU with a parameter of unknown PI is accepted',
    run: async ctx => {
      const link = await ctx.connect()
      const lsap = await ttpLsapOf(link, ctx.profile.echoClass as string)
      if (lsap === undefined) return ctx.notApplicable('no echo service in IAS')
      const c = await lmConnect(link, lsap, TESTER_LSAP.TTP, Uint8Array.of(0x80 | 4, 0x04, 0x7E, 0x02, 0x12, 0x34))
      ctx.must(c.kind === 'connect-confirm', `answered with ${c.kind}`)
      if (c.kind === 'connect-confirm') await sendPdu(link, { kind: 'disconnect', dlsap: lsap, slsap: TESTER_LSAP.TTP, reason: 1, userData: new Uint8Array(0) })
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CRD/BI-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.2; hostile input',
    title: 'A peer that sends beyond its credit does not break the device: the link still answers and IAS works',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 10 })
      const over = t.sendCredit + 3
      for (let i = 0; i < over; i++) await link.exchange(emitLmpPdu({ kind: 'data', dlsap: t.dlsap, slsap: t.slsap, data: TtpDataPdu.emit({ more: false, credit: 0, data: ascii(`over ${i}`) }) }))
      await link.exchange()
      ctx.info(`sent ${over} data PDUs on ${over - 3} credit`)
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, 'IAS stopped answering')
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/SAR/BV-02', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.3 (the sender segments an SDU longer than a PDU, M on all but the last)',
    title: 'Over 64-byte frames, a 300-byte SDU comes back in segments, M set on all but the last, and reassembles',
    run: async ctx => {
      const link = await ctx.connect({ qos: testerQos({ dataSize: 64 }) })
      const t = await openEcho(ctx, link, { credit: 20, maxSduSize: 1024 }).catch((e: unknown) => {
        if (e instanceof Error && e.name === 'CaseVerdict' && /nothing came|left the link/.test(e.message)) return ctx.notApplicable('the echo service did not answer a connect offering SAR (see TTP/ANY/CON/BV-02)')
        throw e
      })
      if (t.peer.maxSduSize === undefined || t.peer.maxSduSize < 300) return ctx.notApplicable('the echo service offers no SAR for 300 bytes')
      const sdu = bytes(300, 5)
      const seg = Math.min(ctx.profile.dataSize, 2048) - 3
      for (let off = 0; off < sdu.length; off += seg) await t.send(sdu.subarray(off, off + seg), { more: off + seg < sdu.length, give: off + seg < sdu.length ? 0 : 10 })
      await t.receive(1, 5000)
      ctx.must(t.sdus.length >= 1 && same(t.sdus[0], sdu), `got ${t.sdus.map(x => x.length).join('/') || 'no'} SDU bytes, want one SDU of 300`)
      const data = t.pdus.filter(p => p.length > 0)
      ctx.must(data.length > 1, `${data.length} segment(s) over 64-byte frames`)
      ctx.must(data.slice(0, -1).every(p => p.more) && !data[data.length - 1].more, `M bits ${data.map(p => p.more ? 1 : 0).join('')}`)
      ctx.must(data.every(p => p.length <= 64 - 3), 'a segment longer than the 64-byte frame allows')
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/DCN/BV-01', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.4 (disconnect with user data), IrLMP 1.1 4.1.4',
    title: 'A disconnect carrying user data ends the connection cleanly: a new connection to the service then echoes',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 8 })
      await sendPdu(link, { kind: 'disconnect', dlsap: t.dlsap, slsap: t.slsap, reason: 1, userData: ascii('bye!') })
      await link.exchange()
      const again = await TtpSession.connect(link, t.dlsap, { credit: 8, slsap: 0x5B }).catch(async () => {
        await ctx.st.wait(1000)
        return await TtpSession.connect(link, t.dlsap, { credit: 8, slsap: 0x5C })
      })
      await again.send(ascii('after bye'))
      await again.receive(1)
      ctx.must(again.sdus.length === 1 && same(again.sdus[0], ascii('after bye')), 'no echo on the new connection')
      await again.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/CON/BI-02', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2.1 (parameter list); hostile input',
    title: 'A connect PDU whose parameter list is cut short does not break the device: refused or taken, IAS still answers',
    run: async ctx => {
      const link = await ctx.connect()
      const lsap = await ttpLsapOf(link, ctx.profile.echoClass as string)
      if (lsap === undefined) return ctx.notApplicable('no echo service in IAS')
      const c = await lmConnect(link, lsap, 0x5D, Uint8Array.of(0x80 | 4, 0x05, 0x01)).catch(() => undefined)
      ctx.info(`answered ${c?.kind ?? 'nothing within 3 s'}`)
      if (c?.kind === 'connect-confirm') await sendPdu(link, { kind: 'disconnect', dlsap: lsap, slsap: 0x5D, reason: 1, userData: new Uint8Array(0) })
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, 'IAS stopped answering')
      await link.disconnect()
    },
  },
]
