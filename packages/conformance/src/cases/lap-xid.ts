/*! IrLAP discovery as the secondary (the 1995 DS series): the tester sends XID commands. */
import { parseDiscoveryInfo, type LapFrame } from '@irdakit/lap'
import type { CaseContext, CaseDef } from '../case.js'
import { TESTER_ADDRESS, TESTER_DISCOVERY_INFO, xidCommand } from '../link.js'
import { startOf, type Received } from '../station.js'
import { playScript } from '../script.js'

type Xid = LapFrame & { kind: 'XID' }
const isReply = (r: Received): r is Received & { frame: Xid } => r.frame?.kind === 'XID' && !r.frame.command

/** Slot time the tester leaves for answers (the IrLAP 6.11 slot timer is 25..85 ms after the command; we allow line time on top). */
const SLOT_MS = 130

/** Runs one discovery of `slots` slots; returns every XID reply with the slot it came in. */
async function discovery (ctx: CaseContext, slots: 1 | 6 | 8 | 16): Promise<Array<{ slot: number, r: Received & { frame: Xid } }>> {
  const out: Array<{ slot: number, r: Received & { frame: Xid } }> = []
  for (let s = 0; s < slots; s++) {
    ctx.st.send(xidCommand(s, { slots }))
    for (const r of await ctx.st.collect(SLOT_MS)) {
      if (isReply(r)) out.push({ slot: s, r })
      else ctx.must(false, `only XID replies are expected during discovery, got ${r.frame?.kind ?? 'garbage'}`)
    }
  }
  ctx.st.send(xidCommand(0xFF, { slots, info: TESTER_DISCOVERY_INFO }))
  await ctx.st.wait(100)
  return out
}

function slotCase (id: string, legacy: string, slots: 6 | 8 | 16): CaseDef {
  return {
    id, legacy, level: 'MUST', clause: 'IrLAP 1.1 6.11 (discovery), 5.2.1.1 (XID)',
    title: `${slots}-slot discovery: exactly one reply, in the slot of the command it follows, within the ${slots} slots`,
    run: async ctx => {
      const replies = await discovery(ctx, slots)
      ctx.must(replies.length === 1, `${replies.length} replies to one ${slots}-slot discovery; exactly one is due`)
      const { slot, r } = replies[0]
      ctx.must(r.frame.info.slots === slots, `the reply says S=${r.frame.info.slots}, the command ${slots}`)
      ctx.must(r.frame.info.slot === slot, `the reply carries slot ${r.frame.info.slot} but came after the slot ${slot} command`)
      ctx.must(slot < slots, `reply in slot ${slot} of ${slots}`)
    },
  }
}

export const LAP_XID: CaseDef[] = [
  {
    id: 'LAP/SEC/XID/BV-01', legacy: 'DS1', level: 'MUST', clause: 'IrLAP 1.1 6.11, 5.2.1.1',
    title: 'Answers a 1-slot discovery sent to broadcast and to its own address; silent to another address',
    run: async ctx => {
      ctx.st.send(xidCommand(0, { destination: 0x0BADCAFE }), 'to another device')
      await ctx.st.expectSilence(300, 'an XID command for another device address gets no reply (IrLAP 6.11)')
      ctx.st.send(xidCommand(0xFF, { destination: 0x0BADCAFE, info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(200)
      ctx.st.send(xidCommand(0), 'broadcast')
      await ctx.st.expect({ kind: 'XID', command: false }, SLOT_MS, 'a broadcast 1-slot XID command is answered in slot 0')
      ctx.st.send(xidCommand(0xFF, { info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(200)
      ctx.st.send(xidCommand(0, { destination: ctx.profile.deviceAddress }), 'to its own address')
      await ctx.st.expect({ kind: 'XID', command: false }, SLOT_MS, 'an XID command to the device\'s own address is answered')
      ctx.st.send(xidCommand(0xFF, { destination: ctx.profile.deviceAddress, info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(100)
    },
  },
  {
    id: 'LAP/SEC/XID/BV-02', legacy: 'DS1', level: 'MUST', clause: 'IrLAP 1.1 5.2.1.1, 6.11; IrLMP 1.1 3.4.1 (discovery info)',
    title: 'The XID reply is well formed: broadcast address, response with F, format 1, addresses swapped, S and slot echoed, version 0, discovery info',
    run: async ctx => {
      ctx.st.send(xidCommand(0))
      const r = await ctx.st.expect({ kind: 'XID', command: false }, SLOT_MS, 'a 1-slot discovery is answered')
      const f = r.frame as Xid
      ctx.must(f.caddr === 0x7F, `reply on connection address 0x${f.caddr.toString(16)}, not broadcast 0x7f`)
      ctx.must(f.pf, 'the reply has F clear')
      ctx.must(f.info.format === 1, `format identifier ${f.info.format}, not 1`)
      ctx.must(f.info.destination === TESTER_ADDRESS, `reply to 0x${f.info.destination.toString(16)}, not to the tester`)
      ctx.must(f.info.source === ctx.profile.deviceAddress, 'the reply\'s source address changed since the sanity probe')
      ctx.must(f.info.slots === 1 && f.info.slot === 0, `reply S=${f.info.slots} s=${f.info.slot}, want S=1 s=0`)
      ctx.must(f.info.version === 0, `IrLAP version ${f.info.version}, not 0`)
      ctx.must(f.info.discoveryInfo !== undefined && f.info.discoveryInfo.length > 0, 'the reply carries no discovery info (hints, charset, nickname)')
      const d = parseDiscoveryInfo(f.info.discoveryInfo as Uint8Array)
      ctx.must(d.ok, `discovery info does not decode: ${d.ok ? '' : d.error.message}`)
      ctx.should((f.info.discoveryInfo as Uint8Array).length <= 32, `discovery info of ${(f.info.discoveryInfo as Uint8Array).length} bytes exceeds IrLMP's 32`)
      ctx.st.send(xidCommand(0xFF, { info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(100)
    },
  },
  slotCase('LAP/SEC/XID/BV-03', 'DS2', 6),
  slotCase('LAP/SEC/XID/BV-04', 'DS3', 8),
  slotCase('LAP/SEC/XID/BV-05', 'DS4, DS5', 16),
  {
    id: 'LAP/SEC/XID/BV-06', legacy: 'DS2-DS5', level: 'SHOULD', clause: 'IrLAP 1.1 6.11 (random slot)',
    title: 'Replies to repeated 8-slot discoveries fall in varying slots (the slot is chosen at random)',
    run: async ctx => {
      const seen = new Set<number>()
      for (let i = 0; i < 6; i++) {
        const replies = await discovery(ctx, 8)
        ctx.must(replies.length === 1, `${replies.length} replies to discovery ${i + 1}`)
        seen.add(replies[0].slot)
        await ctx.st.wait(200)
      }
      ctx.should(seen.size >= 2, `six 8-slot discoveries were all answered in slot ${[...seen].join(',')}: not random`)
      ctx.info(`slots used: ${[...seen].sort((a, b) => a - b).join(', ')}`)
    },
  },
  {
    id: 'LAP/SEC/XID/BV-07', level: 'MUST', clause: 'IrLAP 1.1 6.11 (the final XID is not answered)',
    title: 'The final XID command (slot 0xFF) of a discovery gets no reply',
    run: async ctx => { await playScript(ctx.st, [{ send: xidCommand(0xFF, { slots: 6, info: TESTER_DISCOVERY_INFO }) }, { silence: 400 }]) },
  },
  {
    id: 'LAP/SEC/XID/BI-01', level: 'MUST', clause: 'IrLAP 1.1 5.2.1.1 (XID responses are never answered)',
    title: 'An XID response frame from another station gets no reply',
    run: async ctx => {
      ctx.st.send({ kind: 'XID', caddr: 0x7F, command: false, pf: true, info: { format: 1, source: TESTER_ADDRESS, destination: ctx.profile.deviceAddress, slots: 1, newAddress: false, slot: 0, version: 0, discoveryInfo: TESTER_DISCOVERY_INFO } })
      await ctx.st.expectSilence(400, 'an XID response is not a command and gets no reply')
    },
  },
  {
    id: 'LAP/SEC/XID/BI-02', level: 'MUST', clause: 'IrLAP 1.1 5.2.1.1; hostile input',
    title: 'A truncated XID command (information field cut short) is ignored, and discovery still works after it',
    // As a script: exact frames (the first in hex) and time limits.
    run: async ctx => {
      await playScript(ctx.st, [
        { send: 'ff3f01544553' }, { silence: 300 },
        { send: xidCommand(0) }, { expect: { kind: 'XID', command: false }, within: SLOT_MS },
        { send: xidCommand(0xFF, { info: TESTER_DISCOVERY_INFO }) }, { wait: 100 },
      ])
    },
  },
  {
    id: 'LAP/SEC/XID/TI-01', level: 'MUST', needs: ['timing'], clause: 'IrLAP 1.1 6.11 (slot timer: the reply starts within the slot)',
    title: 'The reply to a 1-slot discovery starts within 85 ms of the end of the command',
    run: async ctx => {
      ctx.st.send(xidCommand(0))
      const r = await ctx.st.expect({ kind: 'XID', command: false }, SLOT_MS, 'a 1-slot discovery is answered')
      const gap = startOf(r, 9600) - ctx.st.lastTxEnd
      ctx.info(`reply started ${gap.toFixed(1)} ms after the command ended`)
      ctx.must(gap <= 85, `the reply started ${gap.toFixed(1)} ms after the command, later than the 85 ms slot`)
      ctx.st.send(xidCommand(0xFF, { info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(100)
    },
  },
  {
    id: 'LAP/SEC/XID/TI-02', level: 'MUST', needs: ['timing'], clause: 'IrLAP 1.1 6.6.10 (minimum turnaround, 10 ms before negotiation)',
    title: 'The XID reply leaves at least the contention minimum turnaround (10 ms) after the command',
    run: async ctx => {
      ctx.st.send(xidCommand(0))
      const r = await ctx.st.expect({ kind: 'XID', command: false }, SLOT_MS, 'a 1-slot discovery is answered')
      const gap = startOf(r, 9600) - ctx.st.lastTxEnd
      ctx.info(`turnaround ${gap.toFixed(1)} ms`)
      ctx.must(gap >= 10 - 0.5, `the reply started ${gap.toFixed(1)} ms after our command: less than the 10 ms minimum turnaround`)
      ctx.st.send(xidCommand(0xFF, { info: TESTER_DISCOVERY_INFO }))
      await ctx.st.wait(100)
    },
  },
]
