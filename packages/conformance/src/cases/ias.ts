/*! IAS as the server (the 1995 IA series): GetValueByClass over the tester's link. */
import { IAP_OPCODE, IasReturn } from '@irdakit/lmp'
import type { CaseDef } from '../case.js'
import { testerQos } from '../link.js'
import { iasOn, iasQuery, lmConnect, sendPdu, TESTER_LSAP, expectPdu } from '../upper.js'

export const IAS: CaseDef[] = [
  {
    id: 'IAS/SRV/GVBC/BV-01', level: 'MUST', clause: 'IrLMP 1.1 4.1 (the Device object, DeviceName), 4.3.5',
    title: 'GetValueByClass Device DeviceName: success, one user string',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === IasReturn.SUCCESS, `return code ${a.returnCode}`)
      ctx.must(a.entries.length >= 1 && a.entries[0].value.type === 'string', 'DeviceName is not a user string')
      ctx.info(`DeviceName ${JSON.stringify(a.entries[0]?.value.type === 'string' ? new TextDecoder('latin1').decode(a.entries[0].value.value) : '')}`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BV-02', level: 'MUST', clause: 'IrLMP 1.1 4.1 (IrLMPSupport: version, IAS and LM-MUX support bits)',
    title: 'GetValueByClass Device IrLMPSupport: success, an octet sequence of at least 3 bytes, version 1',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'Device', 'IrLMPSupport')
      ctx.must(a.returnCode === IasReturn.SUCCESS, `return code ${a.returnCode}`)
      const v = a.entries[0]?.value
      ctx.must(v?.type === 'octets' && v.value.length >= 3, 'IrLMPSupport is not 3 octets')
      ctx.should(v?.type === 'octets' && v.value[0] === 1, `IrLMP version ${v?.type === 'octets' ? v.value[0] : '?'}`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BI-01', level: 'MUST', clause: 'IrLMP 1.1 4.3.5 (return code 1: no such class)',
    title: 'A query for a class that does not exist returns No Such Class (1)',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'NoSuchClassHere', 'IrDA:TinyTP:LsapSel')
      ctx.must(a.returnCode === IasReturn.NO_SUCH_CLASS, `return code ${a.returnCode}, want 1`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BI-06', legacy: 'IA6', level: 'MUST', clause: 'IrLMP 1.1 4.3.5 (return code 2: no such attribute)',
    title: 'A query for a missing attribute of an existing class returns No Such Attribute (2)',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'Device', 'NoSuchAttribute')
      ctx.must(a.returnCode === IasReturn.NO_SUCH_ATTRIBUTE, `return code ${a.returnCode}, want 2`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BV-03', level: 'MUST', needs: ['echo'], clause: 'TinyTP 1.1 (IrDA:TinyTP:LsapSel), IrLMP 1.1 4.3.5',
    title: 'The echo service\'s IrDA:TinyTP:LsapSel is an integer selector in 0x01..0x6f',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, ctx.profile.echoClass as string, 'IrDA:TinyTP:LsapSel')
      ctx.must(a.returnCode === 0, `return code ${a.returnCode}`)
      const v = a.entries[0]?.value
      ctx.must(v?.type === 'integer' && v.value >= 1 && v.value <= 0x6F, `LsapSel ${JSON.stringify(v)}`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BV-04', level: 'MUST', clause: 'IrLMP 1.1 4.3 (class names up to 60 bytes)',
    title: 'A class name of the full 60 bytes is accepted (No Such Class when absent)',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'C'.repeat(60), 'A', { frameMax: Math.min(link.params?.txDataSize ?? 64, 2048) - 2 })
      ctx.must(a.returnCode === IasReturn.NO_SUCH_CLASS, `return code ${a.returnCode} for a 60-byte class name`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BV-05', level: 'MUST', clause: 'IrLMP 1.1 4.3 (an IAS connection carries one operation after another)',
    title: 'Two queries in a row on one IAS connection are both answered',
    run: async ctx => {
      const link = await ctx.connect()
      const c = await lmConnect(link, 0, TESTER_LSAP.IAS_CLIENT)
      ctx.must(c.kind === 'connect-confirm', 'IAS refused the connection')
      const a = await iasOn(link, 'Device', 'DeviceName')
      const b = await iasOn(link, 'Device', 'NoSuchAttribute')
      ctx.must(a.returnCode === 0 && b.returnCode === 2, `return codes ${a.returnCode}, ${b.returnCode}; want 0, 2`)
      await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: TESTER_LSAP.IAS_CLIENT, reason: 1, userData: new Uint8Array(0) })
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/IAP/BV-01', level: 'MUST', clause: 'IrLMP 1.1 4.2.2 (IAP frames: Lst and Ack), 4.3',
    title: 'A GetValueByClass request split over two IAP frames: the first is acknowledged, the whole is answered',
    run: async ctx => {
      if (ctx.profile.liteLap) return ctx.notApplicable('IrDA Lite: a request must fit in one frame')
      const link = await ctx.connect()
      const a = await iasQuery(link, 'Device', 'DeviceName', { frameMax: 8 })
      ctx.must(a.returnCode === 0, `return code ${a.returnCode}`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/IAP/BV-02', level: 'MUST', clause: 'IrLMP 1.1 4.2.2 (a response longer than a frame: frames without Lst, each acknowledged)',
    title: 'A value longer than one frame comes in several IAP frames, Lst on the last only, and reassembles',
    run: async ctx => {
      const lv = ctx.profile.longValue
      if (lv === undefined) return ctx.notApplicable('no IAS attribute known to span several frames (declare longValue in the profile)')
      const link = await ctx.connect({ qos: testerQos({ dataSize: 64 }) })
      const a = await iasQuery(link, lv.className, lv.attributeName)
      ctx.must(a.returnCode === 0, `return code ${a.returnCode}`)
      ctx.must(a.frames > 1, `the ${a.body.length}-byte response came in ${a.frames} frame(s) over 64-byte frames`)
      ctx.info(`${a.body.length} bytes in ${a.frames} IAP frames`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/IAP/BI-01', level: 'MUST', clause: 'IrLMP 1.1 4.3 (unsupported operations return 0xFF)',
    title: 'An operation the server does not support (GetInfoBaseDetails) is answered: Unsupported (0xFF) or a result',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, '', '', { opcode: IAP_OPCODE.GET_INFO_BASE_DETAILS, body: new Uint8Array(0) })
      ctx.info(`return code 0x${a.returnCode.toString(16)}`)
      ctx.must(a.returnCode === IasReturn.UNSUPPORTED || a.returnCode === 0, `return code 0x${a.returnCode.toString(16)}`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BI-02', level: 'MUST', clause: 'IrLMP 1.1 4.3.5; hostile input',
    title: 'A GetValueByClass whose class length runs past the frame does not break IAS: later queries are answered',
    run: async ctx => {
      const link = await ctx.connect()
      const c = await lmConnect(link, 0, 0x59)
      ctx.must(c.kind === 'connect-confirm', 'IAS refused the connection')
      await sendPdu(link, { kind: 'data', dlsap: 0, slsap: 0x59, data: Uint8Array.of(0x84, 50, 0x41, 0x42) }, 'class length 50, 2 bytes follow')
      const r = await expectPdu(link, p => p.slsap === 0 && p.dlsap === 0x59, 'an answer to the bad request (error or disconnect)', 1500).catch(() => undefined)
      ctx.info(r === undefined ? 'the bad request was ignored' : `answered with ${r.kind}${r.kind === 'data' ? ` return code ${r.data[1] ?? '?'}` : ''}`)
      const a = await iasQuery(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode} after the bad request`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BI-03', level: 'MUST', clause: 'IrLMP 1.1 4.3.5 (names are compared octet by octet)',
    title: 'Class names are case-sensitive: "device" is No Such Class',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'device', 'DeviceName')
      ctx.must(a.returnCode === IasReturn.NO_SUCH_CLASS, `return code ${a.returnCode} for "device"; want 1`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BV-06', level: 'MUST', clause: 'IrLMP 1.1 4.3 (attribute names up to 60 bytes)',
    title: 'An attribute name of the full 60 bytes is accepted (No Such Attribute on Device)',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'Device', 'A'.repeat(60), { frameMax: Math.min(link.params?.txDataSize ?? 64, 2048) - 2 })
      ctx.must(a.returnCode === IasReturn.NO_SUCH_ATTRIBUTE, `return code ${a.returnCode} for a 60-byte attribute name; want 2`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/BV-07', level: 'SHOULD', needs: ['echo'], clause: 'IrLMP 1.1 4.1 (object identifiers identify objects)',
    title: 'The same object answers two queries with the same object identifier',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, ctx.profile.echoClass as string, 'IrDA:TinyTP:LsapSel')
      const b = await iasQuery(link, ctx.profile.echoClass as string, 'IrDA:TinyTP:LsapSel')
      ctx.must(a.returnCode === 0 && b.returnCode === 0, 'the echo class is not found')
      ctx.should(a.entries[0]?.objectId === b.entries[0]?.objectId, `object id ${a.entries[0]?.objectId ?? '?'} then ${b.entries[0]?.objectId ?? '?'}`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/GVBC/CA-01', level: 'INFO', clause: 'IrLMP 1.1 4.1 (Device DeviceName) and 3.4.1 (discovery nickname)',
    title: 'Does the IAS DeviceName match the nickname of the discovery info?',
    run: async ctx => {
      const link = await ctx.connect()
      const a = await iasQuery(link, 'Device', 'DeviceName')
      const v = a.entries[0]?.value
      const name = v?.type === 'string' ? new TextDecoder('latin1').decode(v.value) : ''
      ctx.info(name === ctx.profile.nickname ? `both "${name}"` : `DeviceName "${name}", nickname "${ctx.profile.nickname}"`)
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/IAP/BI-02', level: 'MUST', clause: 'IrLMP 1.1 4.2.2 (Ack frames); hostile input',
    title: 'An IAP Ack frame with no operation under way is ignored; IAS then answers a query',
    run: async ctx => {
      const link = await ctx.connect()
      const c = await lmConnect(link, 0, TESTER_LSAP.IAS_CLIENT)
      ctx.must(c.kind === 'connect-confirm', 'IAS refused the connection')
      await sendPdu(link, { kind: 'data', dlsap: 0, slsap: TESTER_LSAP.IAS_CLIENT, data: Uint8Array.of(0x44) }, 'a stray Ack')
      const a = await iasOn(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode} after a stray Ack`)
      await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: TESTER_LSAP.IAS_CLIENT, reason: 1, userData: new Uint8Array(0) })
      await link.disconnect()
    },
  },
  {
    id: 'IAS/SRV/IAP/BI-03', level: 'MUST', clause: 'IrLMP 1.1 4.2 (an IAP frame has a control byte); hostile input',
    title: 'An empty IAP frame (an LM data PDU with no bytes) is ignored; IAS then answers a query',
    run: async ctx => {
      const link = await ctx.connect()
      const c = await lmConnect(link, 0, TESTER_LSAP.IAS_CLIENT)
      ctx.must(c.kind === 'connect-confirm', 'IAS refused the connection')
      await sendPdu(link, { kind: 'data', dlsap: 0, slsap: TESTER_LSAP.IAS_CLIENT, data: new Uint8Array(0) }, 'no IAP control byte')
      const a = await iasOn(link, 'Device', 'DeviceName')
      ctx.must(a.returnCode === 0, `IAS answered ${a.returnCode} after an empty frame`)
      await sendPdu(link, { kind: 'disconnect', dlsap: 0, slsap: TESTER_LSAP.IAS_CLIENT, reason: 1, userData: new Uint8Array(0) })
      await link.disconnect()
    },
  },
]
