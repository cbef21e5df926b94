/*! Edges: reserved addresses, selector and name limits, discovery from other sources, small and full SDUs. */
import { BROADCAST_CADDR } from '@irdakit/lap'
import { IasReturn } from '@irdakit/lmp'
import { TtpConnectPdu } from '@irdakit/ttp'
import type { CaseDef } from '../case.js'
import { TESTER_ADDRESS, TESTER_DISCOVERY_INFO, testerQos, xidCommand } from '../link.js'
import { iasQuery, lmConnect, sendPdu, ttpLsapOf, TESTER_LSAP } from '../upper.js'
import { bytes, openEcho } from './echo.js'

const EMPTY = new Uint8Array(0)
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b))

function reservedXid (id: string, source: number): CaseDef {
  return {
    id, level: 'MUST', clause: 'IrLAP 1.1 device addresses (0xffffffff is the broadcast address; neither it nor 0x00000000 is a station)',
    title: `A discovery XID from the reserved source address 0x${source.toString(16).padStart(8, '0')} gets no reply`,
    run: async ctx => {
      ctx.st.send(xidCommand(0, { source }))
      await ctx.st.expectSilence(400, 'a reserved source address is not a device to answer')
      ctx.st.send(xidCommand(0xFF, { source, info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(100)
    },
  }
}

export const EDGES: CaseDef[] = [
  {
    id: 'LAP/SEC/XID/BV-09', level: 'MUST', clause: 'IrLAP 1.1 6.11 (the reply goes to the source of the command)',
    title: 'A discovery from another source address is answered to that address',
    run: async ctx => {
      ctx.st.send(xidCommand(0, { source: 0x11223344 }))
      await ctx.st.expect({ kind: 'XID', command: false, info: { destination: 0x11223344, source: ctx.profile.deviceAddress } }, 130, 'the reply is addressed to the discovering station')
      ctx.st.send(xidCommand(0xFF, { source: 0x11223344, info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(100)
    },
  },
  {
    id: 'LAP/SEC/XID/BV-10', legacy: 'DS1', level: 'MUST', clause: 'IrLAP 1.1 6.11 (discovery addressed to one device)',
    title: 'A 6-slot discovery addressed to the device\'s own address gets exactly one reply',
    run: async ctx => {
      let replies = 0
      for (let s = 0; s < 6; s++) {
        ctx.st.send(xidCommand(s, { slots: 6, destination: ctx.profile.deviceAddress }))
        replies += (await ctx.st.collect(130)).filter(r => r.frame?.kind === 'XID' && !r.frame.command).length
      }
      ctx.st.send(xidCommand(0xFF, { slots: 6, destination: ctx.profile.deviceAddress, info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(100)
      ctx.must(replies === 1, `${replies} replies`)
    },
  },
  reservedXid('LAP/SEC/XID/BI-04', 0xFFFFFFFF),
  reservedXid('LAP/SEC/XID/BI-05', 0x00000000),
  {
    id: 'LAP/SEC/CON/BI-14', level: 'MUST', clause: 'IrLAP 1.1 device addresses (0xffffffff is the broadcast address, never a station), 6.4.1',
    title: 'A SNRM from the broadcast source address 0xffffffff is not accepted',
    run: async ctx => {
      ctx.st.send({ kind: 'SNRM', caddr: BROADCAST_CADDR, command: true, pf: true, info: { source: 0xFFFFFFFF, destination: ctx.profile.deviceAddress, connAddr: 0x2E, qos: testerQos() } })
      const r = await ctx.st.quiet(800)
      if (r?.frame?.kind === 'UA') { ctx.st.send({ kind: 'DISC', caddr: 0x2E, command: true, pf: true }); await ctx.st.collect(400) }
      ctx.must(r === undefined || r.frame?.kind === 'DM', `a SNRM from 0xffffffff got ${r?.frame?.kind ?? 'garbage'}`)
    },
  },
  {
    id: 'LMP/SRV/CON/BV-04', level: 'MUST', clause: 'IrLMP 1.1 3.3 (client selectors 0x01 to 0x6f)',
    title: 'LM connects to IAS from the lowest and the highest client selectors (0x01, 0x6f) are confirmed',
    run: async ctx => {
      const link = await ctx.connect()
      for (const sel of [0x01, 0x6F]) {
        const c = await lmConnect(link, 0, sel)
        ctx.must(c.kind === 'connect-confirm', `a connect from selector 0x${sel.toString(16)} got ${c.kind}`)
        await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: sel, reason: 1, userData: EMPTY })
      }
      await link.disconnect()
    },
  },
  {
    id: 'LMP/SRV/CON/BI-09', level: 'MUST', needs: ['echo'], clause: 'IrLMP 1.1 4.1.2 (connect user data is at most 60 bytes); hostile input',
    title: 'An LM connect with 61 bytes of user data is refused or taken, and IAS still answers',
    run: async ctx => {
      const link = await ctx.connect()
      const lsap = await ttpLsapOf(link, ctx.profile.echoClass as string)
      if (lsap === undefined) return ctx.notApplicable('no echo service in IAS')
      const c = await lmConnect(link, lsap, 0x5E, TtpConnectPdu.emit({ credit: 4, userData: new Uint8Array(60).fill(0x61) })).catch(() => undefined)
      ctx.info(`answered ${c?.kind ?? 'nothing within 3 s'}`)
      if (c?.kind === 'connect-confirm') await sendPdu(link, { kind: 'disconnect', dlsap: lsap, slsap: 0x5E, reason: 1, userData: EMPTY })
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, 'IAS stopped answering')
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BI-04', level: 'MUST', clause: 'IrLMP 1.1 4.3.5 (attribute names are compared octet by octet)',
    title: 'Attribute names are case-sensitive: Device "devicename" is No Such Attribute',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'Device', 'devicename')
      ctx.must(a.returnCode === IasReturn.NO_SUCH_ATTRIBUTE, `return code ${a.returnCode}; want 2`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BV-08', level: 'MUST', clause: 'IrLMP 1.1 4.3.5 (names of one byte)',
    title: 'One-byte class and attribute names are handled: "D" "N" is No Such Class',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'D', 'N')
      ctx.must(a.returnCode === IasReturn.NO_SUCH_CLASS, `return code ${a.returnCode}; want 1`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BI-05', level: 'MUST', clause: 'IrLMP 1.1 4.3.5; hostile input',
    title: 'A GetValueByClass with an empty attribute name is answered (an error code) or dropped, and IAS still answers',
    run: async ctx => {
      const link = await ctx.connect()
      const c = await lmConnect(link, 0, TESTER_LSAP.IAS_CLIENT)
      ctx.must(c.kind === 'connect-confirm', 'IAS refused the connection')
      await sendPdu(link, { kind: 'data', dlsap: 0, slsap: TESTER_LSAP.IAS_CLIENT, data: Uint8Array.of(0x84, 6, ...Buffer.from('Device'), 0) }, 'attribute name of 0 bytes')
      await link.exchange()
      await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: TESTER_LSAP.IAS_CLIENT, reason: 1, userData: EMPTY })
      const a = await iasQuery(link, 'Device', 'DeviceName', { slsap: 0x58 })
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode} afterwards`)
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/DATA/BV-02', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2 (data transfer)',
    title: 'Ten one-byte SDUs echo back in order',
    run: async ctx => {
      const link = await ctx.connect()
      const t = await openEcho(ctx, link, { credit: 20 })
      const sent: number[] = []
      for (let i = 0; i < 10; i++) {
        // Bounded: a device that never returns credit must fail the case, not hang the suite.
        for (let wait = 0; t.sendCredit === 0 && wait < 40; wait++) await t.idle(1)
        ctx.must(t.sendCredit > 0, `no TinyTP credit came back after ${i} SDUs (TinyTP 1.1 2.2.2)`)
        await t.send(Uint8Array.of(0x30 + i), { give: 1 })
        sent.push(0x30 + i)
      }
      for (let i = 0; i < 20 && t.sdus.reduce((n, s) => n + s.length, 0) < 10; i++) await t.receive(t.sdus.length + 1, 500)
      const got = t.sdus.flatMap(s => [...s])
      ctx.must(same(Uint8Array.from(got), Uint8Array.from(sent)), `echoed ${Buffer.from(got).toString()}, sent ${Buffer.from(sent).toString()}`)
      await t.disconnect()
      await link.disconnect()
    },
  },
  {
    id: 'TTP/ANY/DATA/BV-03', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 2.2; IrLAP 1.1 6.6.4 (the data size bounds the PDU)',
    title: 'An SDU that fills a whole 64-byte I frame (61 bytes after the LM-MUX and TinyTP headers) echoes back complete',
    run: async ctx => {
      const link = await ctx.connect({ qos: testerQos({ dataSize: 64 }) })
      const t = await openEcho(ctx, link, { credit: 8 })
      const sdu = bytes(Math.min(61, ctx.profile.dataSize - 3), 7)
      await t.send(sdu, { give: 4 })
      for (let i = 0; i < 20 && t.sdus.reduce((n, s) => n + s.length, 0) < sdu.length; i++) await t.receive(t.sdus.length + 1, 500)
      ctx.must(same(Uint8Array.from(t.sdus.flatMap(s => [...s])), sdu), `${t.sdus.reduce((n, s) => n + s.length, 0)} of ${sdu.length} bytes came back`)
      await t.disconnect()
      await link.disconnect()
    },
  },
]
