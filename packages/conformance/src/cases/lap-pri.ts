/*!
 * IrLAP as the primary (the 1995 DP and CP series): the device discovers and connects, the
 * tester answers. A device that discovers on its own (Linux with discovery on) is observed as it
 * is; connecting needs a way to make the device act (loopback).
 */
import { BROADCAST_CADDR, type LapFrame } from '@irdakit/lap'
import type { CaseContext, CaseDef } from '../case.js'
import { TESTER_ADDRESS, TESTER_DISCOVERY_INFO, testerQos } from '../link.js'
import { startOf, type Received } from '../station.js'

type Xid = LapFrame & { kind: 'XID' }
const isXidCmd = (r: Received): boolean => r.frame?.kind === 'XID' && r.frame.command
const none = (): boolean => false

/** Makes the device discover (control) or waits for its own periodic discovery; returns its XID commands up to the final one. */
async function deviceDiscovery (ctx: CaseContext, answerInSlot?: number): Promise<Array<Received & { frame: Xid }>> {
  const found = ctx.control !== undefined ? ctx.control.stack.discover({ slots: 6 }) : undefined
  found?.catch(() => {})
  // A discovery already under way when we started listening is passed over: wait for a slot 0.
  const first = await ctx.st.next(ctx.control !== undefined ? 2000 : 10000, r => !isXidCmd(r) || (r.frame as Xid).info.slot !== 0)
  if (first === undefined) return ctx.notApplicable('the device does not discover by itself, and cannot be told to')
  const cmds = [first as Received & { frame: Xid }]
  for (;;) {
    const last = cmds[cmds.length - 1].frame
    if (answerInSlot !== undefined && last.info.slot === answerInSlot) {
      ctx.st.send({ kind: 'XID', caddr: BROADCAST_CADDR, command: false, pf: true, info: { format: 1, source: TESTER_ADDRESS, destination: last.info.source, slots: last.info.slots, newAddress: false, slot: answerInSlot, version: 0, discoveryInfo: TESTER_DISCOVERY_INFO } }, `answer in slot ${answerInSlot}`)
    }
    if (last.info.slot === 0xFF) break
    const r = await ctx.st.next(1000, r => !isXidCmd(r))
    ctx.must(r !== undefined, `the discovery stopped after slot ${last.info.slot} without a final XID`)
    cmds.push(r as Received & { frame: Xid })
  }
  if (found !== undefined) await found
  return cmds
}

export const LAP_PRI: CaseDef[] = [
  {
    id: 'LAP/PRI/XID/BV-01', level: 'MUST', clause: 'IrLAP 1.1 6.11 (discovery procedure), 5.2.1.1',
    title: 'The device\'s discovery: XID commands for slots 0..S-1 in order from one source, then the final slot 0xFF with discovery info',
    run: async ctx => {
      const cmds = await deviceDiscovery(ctx)
      const s = cmds[0].frame.info.slots
      const src = cmds[0].frame.info.source
      ctx.must([1, 6, 8, 16].includes(s), `S=${s}`)
      const slots = cmds.map(c => c.frame.info.slot)
      const want = [...Array.from({ length: s }, (_, i) => i), 0xFF]
      ctx.must(slots.join(',') === want.join(','), `slots ${slots.join(',')}, want ${want.join(',')}`)
      ctx.must(cmds.every(c => c.frame.info.source === src && c.frame.info.slots === s && c.frame.caddr === 0x7F && c.frame.pf), 'the XID commands of one discovery differ in source, S, address or P')
      ctx.must(cmds.every(c => c.frame.info.destination === 0xFFFFFFFF), 'a discovery XID not sent to the broadcast address')
      const fin = cmds[cmds.length - 1].frame.info.discoveryInfo
      ctx.must(fin !== undefined && fin.length > 0, 'the final XID carries no discovery info')
      ctx.info(`S=${s}, source 0x${src.toString(16)}`)
    },
  },
  {
    id: 'LAP/PRI/XID/TI-01', level: 'MUST', clause: 'IrLAP 1.1 6.11 (slot timer 25..85 ms)',
    title: 'The device leaves a slot time of at least 25 ms between its XID commands when nobody answers',
    run: async ctx => {
      const cmds = await deviceDiscovery(ctx)
      let min = Infinity
      for (let i = 1; i < cmds.length; i++) {
        const gap = startOf(cmds[i], 9600) - cmds[i - 1].at
        min = Math.min(min, gap)
        ctx.must(gap >= 25 - 1, `slot ${cmds[i].frame.info.slot} began ${gap.toFixed(1)} ms after the previous XID ended`)
      }
      ctx.info(`shortest slot gap ${min.toFixed(1)} ms`)
    },
  },
  {
    id: 'LAP/PRI/XID/BV-02', level: 'MUST', needs: ['control'], clause: 'IrLAP 1.1 6.11; IrLMP 1.1 3.4 (discovery log)',
    title: 'A device that answers in a slot is in the discovery result, with its nickname',
    run: async ctx => {
      const stack = (ctx.control as NonNullable<typeof ctx.control>).stack
      const p = stack.discover({ slots: 6 })
      let answered = false
      for (;;) {
        const r = await ctx.st.next(1500, r => !isXidCmd(r))
        ctx.must(r !== undefined, 'the discovery stopped')
        const f = (r as Received & { frame: Xid }).frame
        if (!answered && f.info.slot === 2) {
          answered = true
          ctx.st.send({ kind: 'XID', caddr: BROADCAST_CADDR, command: false, pf: true, info: { format: 1, source: TESTER_ADDRESS, destination: f.info.source, slots: f.info.slots, newAddress: false, slot: 2, version: 0, discoveryInfo: TESTER_DISCOVERY_INFO } }, 'answer in slot 2')
        }
        if (f.info.slot === 0xFF) break
      }
      const found = await p
      const me = found.find(d => d.deviceAddress === TESTER_ADDRESS)
      ctx.must(me !== undefined, 'the tester answered in slot 2 but is not in the discovery result')
      ctx.must(me?.nickname === 'irdakit-tester', `nickname "${me?.nickname ?? ''}", the tester sent "irdakit-tester"`)
    },
  },
  {
    id: 'LAP/PRI/XID/TI-03', legacy: 'DP3, DP4', level: 'MUST', needs: ['control'], clause: 'IrLAP 1.1 6.13.3 (media access: 500 ms of quiet before discovery)',
    title: 'The device waits for 500 ms without traffic before its discovery starts',
    run: async ctx => {
      const stack = (ctx.control as NonNullable<typeof ctx.control>).stack
      ctx.st.send({ kind: 'UI', caddr: BROADCAST_CADDR, command: true, pf: false, info: Uint8Array.of(0x70, 0x70, 0x01, 0xFF) }, 'traffic on the medium')
      await ctx.st.wait(100)
      const p = stack.discover({ slots: 1 })
      p.catch(() => {})
      let lastOurs = ctx.st.now()
      for (let i = 0; i < 6; i++) {
        const early = await ctx.st.next(200, r => !isXidCmd(r))
        ctx.must(early === undefined, 'the device started discovery less than 500 ms after traffic on the medium')
        ctx.st.send({ kind: 'UI', caddr: BROADCAST_CADDR, command: true, pf: false, info: Uint8Array.of(0x70, 0x70, 0x01, i) }, 'traffic on the medium')
        await ctx.st.wait(30)
        lastOurs = ctx.st.lastTxEnd
      }
      const r = await ctx.st.next(3000, r => !isXidCmd(r))
      ctx.must(r !== undefined, 'no discovery after the medium went quiet')
      const gap = startOf(r as Received, 9600) - lastOurs
      ctx.info(`discovery began ${gap.toFixed(0)} ms after the last traffic`)
      ctx.must(gap >= 500 - 1, `discovery began ${gap.toFixed(0)} ms after the last traffic; 500 ms of quiet are due`)
      await p
    },
  },
  {
    id: 'LAP/PRI/CON/BV-01', level: 'MUST', needs: ['control'], clause: 'IrLAP 1.1 6.4.1 (SNRM), 6.5.2 (the primary polls)',
    title: 'The device connects with a well-formed SNRM and, after our UA, polls on the new connection address',
    run: async ctx => {
      const stack = (ctx.control as NonNullable<typeof ctx.control>).stack
      const q = stack.iasQuery(TESTER_ADDRESS, 'Device', 'DeviceName')
      q.catch(() => {})
      const r = await ctx.st.expect({ kind: 'SNRM', command: true, pf: true, caddr: 0x7F }, 3000, 'an IAS query to the tester opens the link with SNRM', none)
      const f = r.frame as LapFrame & { kind: 'SNRM' }
      ctx.must(f.info !== undefined && f.info.source === ctx.profile.deviceAddress && f.info.destination === TESTER_ADDRESS, 'SNRM addresses are not device > tester')
      const ca = f.info?.connAddr ?? 0
      ctx.must(ca > 0 && ca < 0x7F, `connection address 0x${ca.toString(16)} is reserved`)
      ctx.must(f.info?.qos !== undefined && (f.info.qos.baudRate & 0x02) !== 0, 'SNRM offers no parameters or not 9600')
      ctx.st.send({ kind: 'UA', caddr: ca, command: false, pf: true, info: { source: TESTER_ADDRESS, destination: ctx.profile.deviceAddress, qos: testerQos() } })
      const poll = await ctx.st.expect({ command: true, caddr: ca }, 1500, 'after UA the primary sends on the connection address')
      ctx.must(poll.frame.kind === 'I' || poll.frame.kind === 'RR', `the first frame after UA is ${poll.frame.kind}`)
      ctx.st.send({ kind: 'DM', caddr: ca, command: false, pf: true }, 'end it')
      await ctx.st.collect(500)
      await q.catch(() => undefined)
    },
  },
  {
    id: 'LAP/PRI/CON/BV-02', level: 'SHOULD', needs: ['control'], clause: 'IrLAP 1.1 6.4.1 (N3: SNRM retries)',
    title: 'With no answer, the device repeats its SNRM before giving up',
    run: async ctx => {
      const stack = (ctx.control as NonNullable<typeof ctx.control>).stack
      const q = stack.iasQuery(TESTER_ADDRESS, 'Device', 'DeviceName')
      q.catch(() => {})
      const got = await ctx.st.collect(8000, r => r.frame?.kind !== 'SNRM')
      ctx.info(`${got.length} SNRM frames`)
      ctx.should(got.length >= 2, `${got.length} SNRM without an answer; the spec retries N3 times`)
      await q.catch(() => undefined)
    },
  },
  {
    id: 'LAP/PRI/CON/BV-03', level: 'MUST', needs: ['control'], clause: 'IrLAP 1.1 6.4.1 (DM refuses the connection)',
    title: 'A SNRM answered with DM is not repeated',
    run: async ctx => {
      const stack = (ctx.control as NonNullable<typeof ctx.control>).stack
      const q = stack.iasQuery(TESTER_ADDRESS, 'Device', 'DeviceName')
      q.catch(() => {})
      const r = await ctx.st.expect({ kind: 'SNRM' }, 3000, 'an IAS query opens the link', none)
      ctx.st.send({ kind: 'DM', caddr: (r.frame as LapFrame & { kind: 'SNRM' }).info?.connAddr ?? 0x01, command: false, pf: true })
      const again = await ctx.st.collect(3000, r => r.frame?.kind !== 'SNRM')
      ctx.must(again.length === 0, `the device sent SNRM ${again.length} more times after DM`)
      await q.catch(() => undefined)
    },
  },
]
