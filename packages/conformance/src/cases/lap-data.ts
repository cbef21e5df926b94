/*! IrLAP information transfer and error recovery as the secondary (the 1995 IS series). */
import { emitLmpPdu } from '@irdakit/lmp'
import { TtpDataPdu } from '@irdakit/ttp'
import type { LapFrame } from '@irdakit/lap'
import type { CaseContext, CaseDef } from '../case.js'
import { testerQos, ANSWER_MS, type PrimaryLink } from '../link.js'
import type { Received } from '../station.js'
import { ascii } from '../upper.js'
import { bytes, openEcho } from './echo.js'

type I = LapFrame & { kind: 'I' }
const iFrames = (turn: Received[]): I[] => turn.map(r => r.frame).filter((f): f is I => f?.kind === 'I')
const nrOf = (turn: Received[]): number | undefined => { const f = turn[turn.length - 1]?.frame; return f !== undefined && 'nr' in f ? f.nr : undefined }

/**
 * The target's first I frame and the turn it came in: the turn that answered our last frame
 * (a device may reply in it, as Linux and irdakit do), else polls until one comes.
 */
async function pollForI (ctx: CaseContext, link: PrimaryLink, tries = 20): Promise<{ f: I, turn: Received[] }> {
  const answered = link.turns[link.turns.length - 1]
  const early = answered !== undefined ? iFrames(answered)[0] : undefined
  if (early !== undefined) return { f: early, turn: answered }
  for (let i = 0; i < tries; i++) {
    const turn = await link.exchange()
    const f = iFrames(turn)[0]
    if (f !== undefined) return { f, turn }
    await ctx.st.wait(20)
  }
  return ctx.must(false, 'the echo service sent no data back') as never
}

/** A harmless payload: an LM data PDU for a selector pair that has no connection (IrLMP answers it, IrLAP must ack it). */
const lmData = (n: number): Uint8Array => emitLmpPdu({ kind: 'data', dlsap: 0x6E, slsap: 0x5E, data: ascii(`frame ${n}`) })

function windowCase (id: string, legacy: string | undefined, windowSize: number, dataSize: number): CaseDef {
  return {
    id, ...(legacy !== undefined ? { legacy } : {}), level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 6.6.4 (data size), 6.6.5 (window size), 6.5.3',
    title: `With window ${windowSize} and data size ${dataSize} negotiated, the device never sends more I frames per turn nor longer information fields`,
    run: async ctx => {
      const link = await ctx.connect({ qos: testerQos({ windowSize, dataSize }) })
      const echo = await openEcho(ctx, link, { credit: 20 })
      const room = Math.min(ctx.profile.dataSize, 2048) - 3
      const chunk = Math.min(room, 3 * dataSize)
      let sent = 0
      for (let i = 0; i < 3 && echo.sendCredit > 0; i++) { await echo.send(bytes(chunk, i), { give: 5 }); sent++ }
      await echo.receive(1, 4000)
      await echo.idle(8)
      for (const turn of link.turns) {
        const n = iFrames(turn).length
        ctx.must(n <= windowSize, `a turn of ${n} I frames; the negotiated window is ${windowSize}`)
      }
      for (const f of link.frames) {
        if (f.frame?.kind === 'I') ctx.must(f.frame.info.length <= dataSize, `an I frame of ${f.frame.info.length} bytes; the negotiated data size is ${dataSize}`)
      }
      ctx.must(link.frames.some(f => f.frame?.kind === 'I' && f.frame.info.length > 0), 'the device sent no data, nothing was checked')
      ctx.info(`${sent} SDUs of ${chunk} bytes echoed in ${link.frames.filter(f => f.frame?.kind === 'I').length} I frames`)
      await link.disconnect()
    },
  }
}

export const LAP_DATA: CaseDef[] = [
  {
    id: 'LAP/SEC/DATA/BV-01', level: 'MUST', clause: 'IrLAP 1.1 6.5.3, 5.2.3.1 (RR)',
    title: 'With nothing to send, the device answers a poll with RR F and N(R) = 0',
    run: async ctx => {
      const link = await ctx.connect()
      const turn = await link.exchange()
      const f = turn[turn.length - 1].frame
      ctx.must(f?.kind === 'RR' && f.nr === 0, `answer ${f?.kind ?? '?'}${f !== undefined && 'nr' in f ? ` nr=${f.nr}` : ''}, want RR nr=0`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-02', level: 'MUST', clause: 'IrLAP 1.1 5.3 (N(S), N(R) modulo 8), 6.5.3',
    title: 'Nine I frames in a row are each acknowledged: N(R) follows our N(S) through the modulo-8 wrap',
    run: async ctx => {
      const link = await ctx.connect()
      for (let n = 0; n < 9; n++) {
        const turn = await link.exchange(lmData(n))
        ctx.must(nrOf(turn) === link.vs, `after our I frame ns=${(link.vs + 7) % 8} the answer says nr=${nrOf(turn) ?? '?'}, want ${link.vs}`)
      }
      await link.disconnect()
    },
  },
  windowCase('LAP/SEC/DATA/BV-03', undefined, 1, 64),
  windowCase('LAP/SEC/DATA/BV-04', undefined, 2, 128),
  windowCase('LAP/SEC/DATA/BV-05', undefined, 7, 256),
  {
    id: 'LAP/SEC/DATA/BV-06', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 5.2.3.2 (RNR: the peer is busy)',
    title: 'While the tester says RNR, the device sends no I frames; after RR it sends the data it held',
    run: async ctx => {
      const link = await ctx.connect()
      const echo = await openEcho(ctx, link, { credit: 10 })
      link.sendI(emitLmpPdu({ kind: 'data', dlsap: echo.dlsap, slsap: echo.slsap, data: TtpDataPdu.emit({ more: false, credit: 0, data: ascii('held back') }) }), false, 'no poll')
      echo.sendCredit--
      for (let i = 0; i < 4; i++) {
        link.sendS('RNR')
        const turn = await link.answer()
        ctx.must(iFrames(turn).length === 0, 'an I frame while the tester is busy (RNR)')
        await ctx.st.wait(50)
      }
      const got = await echo.receive(1)
      ctx.must(got.length === 1, 'the held data never came after RR')
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-07', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 5.2.3.3 (REJ: retransmit from N(R))',
    title: 'REJ makes the device retransmit the rejected I frame with the same N(S) and information',
    run: async ctx => {
      const link = await ctx.connect()
      const echo = await openEcho(ctx, link, { credit: 10 })
      await echo.send(ascii('please send this twice'))
      const { f } = await pollForI(ctx, link)
      link.sendS('REJ', true, f.ns)
      const turn = await link.answer()
      const again = iFrames(turn).find(x => x.ns === f.ns)
      ctx.must(again !== undefined, `no retransmission of ns=${f.ns} after REJ nr=${f.ns}`)
      ctx.must(again === undefined || Buffer.from(again.info).equals(Buffer.from(f.info)), 'the retransmitted frame carries other information')
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BV-08', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 5.2.3.4 (SREJ: retransmit the one frame N(R))',
    title: 'SREJ makes the device retransmit the one rejected I frame',
    run: async ctx => {
      const link = await ctx.connect()
      const echo = await openEcho(ctx, link, { credit: 10 })
      await echo.send(ascii('selective'))
      const { f } = await pollForI(ctx, link)
      link.sendS('SREJ', true, f.ns)
      const turn = await link.answer()
      const again = iFrames(turn).filter(x => x.ns === f.ns)
      ctx.must(again.length === 1, `${again.length} retransmissions of ns=${f.ns} after SREJ`)
      ctx.must(again.length !== 1 || Buffer.from(again[0].info).equals(Buffer.from(f.info)), 'the retransmitted frame carries other information')
      await link.exchange()
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BI-01', level: 'MUST', clause: 'IrLAP 1.1 6.5.3 (N(S) sequence error)',
    title: 'An I frame out of sequence (N(S) = 1 when 0 is due) is not acknowledged',
    run: async ctx => {
      const link = await ctx.connect()
      ctx.st.send({ kind: 'I', caddr: link.caddr, command: true, pf: true, ns: 1, nr: 0, info: lmData(1) }, 'ns=1, 0 is due')
      const turn = await link.answer()
      const f = turn[turn.length - 1].frame
      ctx.must(f !== undefined && 'nr' in f && f.nr === 0, `answer ${f?.kind ?? '?'}${f !== undefined && 'nr' in f ? ` nr=${f.nr}` : ''} acknowledges the out-of-sequence frame; want N(R) = 0`)
      ctx.info(`answered with ${f?.kind ?? '?'}`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/DATA/BI-02', level: 'MUST', needs: ['echo'], clause: 'IrLAP 1.1 6.5.3 (duplicate I frames are discarded)',
    title: 'A repeated I frame (same N(S)) is acknowledged once and its data delivered once',
    run: async ctx => {
      const link = await ctx.connect()
      const echo = await openEcho(ctx, link, { credit: 10 })
      const info = emitLmpPdu({ kind: 'data', dlsap: echo.dlsap, slsap: echo.slsap, data: TtpDataPdu.emit({ more: false, credit: 0, data: ascii('only once') }) })
      const ns = link.vs
      link.sendI(info)
      echo.sendCredit--
      await link.answer()
      ctx.st.send({ kind: 'I', caddr: link.caddr, command: true, pf: true, ns, nr: link.vr, info }, 'the same frame again')
      const turn = await link.answer()
      ctx.must(nrOf(turn) === link.vs, `after the duplicate the answer says nr=${nrOf(turn) ?? '?'}, want ${link.vs}`)
      await echo.receive(2, 1500)
      const copies = echo.sdus.filter(s => new TextDecoder().decode(s) === 'only once').length
      ctx.must(copies === 1, `the data came back ${copies} times`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/TIM/TI-01', level: 'MUST', needs: ['timing', 'echo'], clause: 'IrLAP 1.1 6.6.3 (maximum turnaround), 6.6.11 (line capacity)',
    title: 'Offered 2048-byte frames at 9600 b/s, the device still hands the line back within the 500 ms maximum turnaround',
    run: async ctx => {
      const link = await ctx.connect({ qos: testerQos({ dataSize: 2048, windowSize: 7 }) })
      const echo = await openEcho(ctx, link, { credit: 20 })
      const room = Math.min(ctx.profile.dataSize, 1024) - 3
      for (let i = 0; i < 2 && echo.sendCredit > 0; i++) await echo.send(bytes(room, i), { give: 4 })
      let worst = 0
      for (let i = 0; i < 10; i++) {
        await link.exchange()
        const turn = link.turns[link.turns.length - 1]
        const held = turn[turn.length - 1].at - ctx.st.lastTxEnd
        worst = Math.max(worst, held)
        ctx.must(held <= 500 + 15, `the device held the line ${held.toFixed(0)} ms after our poll (maximum turnaround 500 ms)`)
      }
      ctx.info(`longest turn ${worst.toFixed(0)} ms`)
      await link.disconnect()
    },
  },
  {
    id: 'LAP/SEC/TIM/TI-02', level: 'MUST', needs: ['timing'], clause: 'IrLAP 1.1 6.5.3 (the secondary answers within the maximum turnaround)',
    title: 'Every poll is answered within the 500 ms maximum turnaround',
    run: async ctx => {
      const link = await ctx.connect()
      for (let i = 0; i < 5; i++) {
        const turn = await link.exchange(undefined, ANSWER_MS)
        const held = turn[turn.length - 1].at - ctx.st.lastTxEnd
        ctx.must(held <= 515, `answer ${i + 1} ended ${held.toFixed(0)} ms after our poll`)
      }
      await link.disconnect()
    },
  },
]
