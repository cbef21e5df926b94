/*!
 * Hostile peers (issue 13): a victim stack A in a virtual room, an honest client B that echoes
 * data through A over TinyTP, and hostility from two sides, chosen by a seed:
 *
 * - `bystander`: a raw station M that sends the frames of an unconnected station at random
 *   (XID commands and answers from any source, reserved ones too, UI, TEST, SNRM to A) and
 *   undecodable bytes, at both speeds, colliding with the link's frames: the honest echo
 *   must complete, whole;
 * - `third-station`: the same station M, which also knows the link's connection address and
 *   spoofs the link: I with any N(S)/N(R), RR/RNR/REJ/SREJ with any N(R), FRMR, DISC, DM, UA,
 *   SNRM, RD. The link may die of it (IrDA has no authentication); the stack must not;
 * - `connected-peer`: B itself, over the working link, slips raw IrLMP PDUs between its honest
 *   ones: bad selectors, connects to reserved or unbound selectors, disconnects and access-mode
 *   requests for connections that do not exist, TinyTP PDUs with credit overflows, data past
 *   its credit to a listener that never reads, SDUs that never end, IAS requests with absurd lengths and IAP frames that never set Lst;
 * - `floods`: M floods final XID commands and XID answers from ever new (and reserved)
 *   sources, and UI frames, while A discovers: the discovery log stays bounded.
 *
 * Each run checks what the stack promises: nothing throws, nothing hangs (virtual time is
 * bounded), the echoed bytes are an exact prefix of what was sent (all of it unless the link
 * was killed, which a third station may legitimately do), memory stays bounded, IrLAP's
 * invariants hold, and A accepts and serves a new connection afterwards.
 */
import { SeededRandom } from '@irdakit/core'
import { Room, type EmulatedPort } from '@irdakit/emulator'
import { emitDiscoveryInfo, emitFrame, parseFrame, type LapFrame } from '@irdakit/lap'
import { emitLmpPdu, encodeGetValueByClass, iapControl, LSAP, parseLmpPdu, type LmpPdu } from '@irdakit/lmp'
import { IrdaStack, type TtpSocket } from '@irdakit/stack'
import { TtpConnectPdu, TtpDataPdu } from '@irdakit/ttp'

export type HostileKind = 'bystander' | 'third-station' | 'connected-peer' | 'floods'
export const HOSTILE_KINDS: readonly HostileKind[] = ['bystander', 'third-station', 'connected-peer', 'floods']

export interface HostileOptions {
  seed: number
  kind: HostileKind
  /** Hostile frames or PDUs to send. Default 200 (floods: 2000). */
  actions?: number
  /** Bytes B echoes through A meanwhile, 200 at a time. Default 20000. */
  payload?: number
  /** Called with every frame A sends or receives (to replay a seed and see what happened). */
  trace?: (line: string) => void
}

export interface HostileReport {
  seed: number
  kind: HostileKind
  /** Hostile frames (M) or PDUs (B) sent. */
  injected: number
  payload: number
  /** Echoed bytes that came back, all equal to what was sent. */
  echoed: number
  /** 'complete', or why the honest connection ended early. */
  outcome: string
  /** The echo differs, and the medium delivered a damaged frame whose FCS-16 matched (see `victim.fcsMissed`). */
  mediumCorrupted?: boolean
  /** Virtual time the hostile phase took (ms). */
  virtualMs: number
  /** A served a fresh connection afterwards. */
  recovered: boolean
  /** What A counted. */
  victim: Record<string, number>
  /** Heap used (bytes, after a full GC) before and after the hostile phase, with A alive; only when node runs with --expose-gc. */
  heap?: { before: number, after: number }
  /** Broken promises: empty when all is well. */
  problems: string[]
}

const ECHO_LSAP = 0x10
const LMP_LSAP = 0x11
/** A TinyTP listener whose application never reads (rxWindow 4, SAR up to 1024). */
const SINK_LSAP = 0x12
/** Virtual time a run may take before it counts as a hang: 3 minutes, plus what the hostile actions take. */
const hangLimitMs = (actions: number): number => 180_000 + actions * 200

type Pick = <T>(xs: readonly T[]) => T

function bytes (r: SeededRandom, n: number): Uint8Array { return Uint8Array.from({ length: n }, () => r.int(256)) }

/** A device address as a hostile station picks it: mostly random, sometimes reserved or ours. */
function anyAddress (r: SeededRandom, pick: Pick, victim: number): number {
  return pick([0, 0xFFFFFFFF, victim, r.u32(), r.u32(), r.u32()])
}

/** One hostile frame from a third station; `caddr` is the link's connection address once sniffed. */
export function hostileFrame (r: SeededRandom, victim: number, caddr: number | undefined, mode: 'bystander' | 'spoof' | 'flood'): Uint8Array {
  const spoofLink = mode === 'spoof'
  const pick: Pick = xs => xs[r.int(xs.length)]
  const command = r.int(2) === 0
  const pf = r.int(2) === 0
  const info = (): Uint8Array => bytes(r, r.int(70))
  const slotsOf = pick([1, 6, 8, 16] as const)
  const ndm: Array<() => LapFrame> = [
    () => ({ kind: 'XID', caddr: 0x7F, command: true, pf: true, info: { format: 1, source: anyAddress(r, pick, victim), destination: pick([0xFFFFFFFF, victim]), slots: slotsOf, newAddress: false, slot: mode === 'flood' ? 0xFF : pick([0, r.int(slotsOf), 0xFF]), version: 0, discoveryInfo: emitDiscoveryInfo({ hints: bytes(r, 1 + r.int(2)), charset: 0, nickname: 'm' + String(r.int(1000)) }) } }),
    () => ({ kind: 'XID', caddr: 0x7F, command: false, pf: true, info: { format: 1, source: anyAddress(r, pick, victim), destination: victim, slots: slotsOf, newAddress: false, slot: r.int(slotsOf), version: 0, discoveryInfo: bytes(r, r.int(30)) } }),
    () => ({ kind: 'UI', caddr: 0x7F, command: true, pf: false, info: info() }),
    () => ({ kind: 'TEST', caddr: 0x7F, command: true, pf: true, info: { source: anyAddress(r, pick, victim), destination: pick([0xFFFFFFFF, victim]), data: bytes(r, r.int(40)) } }),
    () => ({ kind: 'SNRM', caddr: 0x7F, command: true, pf: true, info: { source: anyAddress(r, pick, victim), destination: victim, connAddr: 1 + r.int(0x7E) } }),
  ]
  const c = caddr ?? r.int(0x7F)
  const link: Array<() => LapFrame> = [
    () => ({ kind: 'I', caddr: c, command, pf, ns: r.int(8), nr: r.int(8), info: info() }),
    () => ({ kind: pick(['RR', 'RNR', 'REJ', 'SREJ'] as const), caddr: c, command, pf, nr: r.int(8) }),
    () => ({ kind: 'FRMR', caddr: c, command: false, pf: true, info: { rejectedControl: r.int(256), vs: r.int(8), vr: r.int(8), rejectedCommand: true, w: r.int(2) === 0, x: false, y: false, z: r.int(2) === 0 } }),
    () => ({ kind: pick(['DISC', 'RD', 'DM'] as const), caddr: c, command: pick([true, false]), pf: true }) as LapFrame,
    () => ({ kind: 'UA', caddr: c, command: false, pf: true }),
    () => ({ kind: 'SNRM', caddr: c, command: true, pf: true }),
    () => ({ kind: 'UI', caddr: c, command, pf, info: info() }),
  ]
  const roll = r.int(10)
  if (roll === 0) {
    // Anything at all; a bystander's garbage just does not carry the link's (or the broadcast) address.
    const other = (c + 1 + r.int(0x7D)) % 0x7F
    return Uint8Array.of(spoofLink ? r.int(256) : (other << 1) | r.int(2), r.int(256), ...bytes(r, r.int(20)))
  }
  // A flood is discovery answers and announcements from ever new sources, and UI frames.
  if (mode === 'flood') return emitFrame(pick([ndm[0], ndm[0], ndm[1], ndm[2]])())
  const frame = roll <= 4 || !spoofLink ? pick(ndm)() : pick(link)()
  try { return emitFrame(frame) } catch { return Uint8Array.of(0xFF, 0x93) }
}

/**
 * One hostile IrLMP PDU from the connected peer. `legit` is the honest connection's selector pair
 * (A's, B's), `junk` B's own junk TinyTP connection, `iasClient` A's selector while A queries B's IAS.
 */
export function hostilePdu (r: SeededRandom, legit: { a: number, b: number }, junk: { a: number, b: number } | undefined, iasClient?: number): Uint8Array {
  const pick: Pick = xs => xs[r.int(xs.length)]
  const sel = (): number => pick([r.int(0x80), 0x00, 0x70, 0x7F, ECHO_LSAP, LMP_LSAP, 0x6F])
  const free = (): number => { let s = 0x50 + r.int(0x1F); if (s === legit.b || s === junk?.b) s = 0x4F; return s }
  const ttpData = (): Uint8Array => TtpDataPdu.emit({ more: r.int(4) === 0, credit: pick([0, 1, 127]), data: bytes(r, r.int(40)) })
  const junkData = (): LmpPdu | Uint8Array => junk === undefined ? bytes(r, 3) : { kind: 'data', dlsap: junk.a, slsap: junk.b, data: ttpData() }
  const choices: Array<() => LmpPdu | Uint8Array> = [
    () => bytes(r, 1 + r.int(60)),
    () => ({ kind: 'data', dlsap: sel(), slsap: free(), data: bytes(r, r.int(50)) }),
    () => ({ kind: 'connect', dlsap: pick([0x70, 0x71, 0x7E, 0x7F, 0x42, ECHO_LSAP, LMP_LSAP, 0x00]), slsap: free(), userData: pick([new Uint8Array(0), bytes(r, r.int(60)), Uint8Array.of(0x80 | 5, 0x20)]) }),
    () => ({ kind: 'disconnect', dlsap: sel(), slsap: free(), reason: r.int(256), userData: bytes(r, r.int(10)) }),
    () => ({ kind: 'access-mode', dlsap: sel(), slsap: free(), mode: pick(['multiplexed', 'exclusive'] as const) }),
    () => ({ kind: 'access-mode-confirm', dlsap: sel(), slsap: free(), status: pick(['success', 'failure', 'unsupported'] as const), mode: pick(['multiplexed', 'exclusive'] as const) }),
    () => ({ kind: 'connect-confirm', dlsap: sel(), slsap: free(), userData: bytes(r, r.int(10)) }),
    // TinyTP credit overflow on the honest connection: a dataless flow PDU granting 127.
    () => ({ kind: 'data', dlsap: legit.a, slsap: legit.b, data: TtpDataPdu.emit({ more: false, credit: 127, data: new Uint8Array(0) }) }),
    // Junk on B's own junk TinyTP connection: data past its credit, SDUs that never end, credit floods.
    junkData, junkData, junkData,
    // A TinyTP connect with a broken parameter list, to the TinyTP listener.
    () => ({ kind: 'connect', dlsap: ECHO_LSAP, slsap: free(), userData: pick([TtpConnectPdu.emit({ credit: 127, userData: new Uint8Array(0) }).subarray(0, 0), Uint8Array.of(0x80 | 127, 0x09, 0x01, 0x02), Uint8Array.of(0xFF, 0x00)]) }),
    // IAS: an absurd class length, a frame that never sets Lst, an unknown opcode.
    () => ({ kind: 'data', dlsap: LSAP.IAS, slsap: free(), data: Uint8Array.of(iapControl({ lst: true, ack: false, opcode: 4 }), 0xFF, 0x41, 0x42) }),
    () => ({ kind: 'data', dlsap: LSAP.IAS, slsap: free(), data: Uint8Array.of(iapControl({ lst: false, ack: false, opcode: 4 }), ...bytes(r, 50)) }),
    () => ({ kind: 'data', dlsap: LSAP.IAS, slsap: free(), data: Uint8Array.of(iapControl({ lst: true, ack: false, opcode: 1 + r.int(0x3F) }), ...bytes(r, r.int(20))) }),
    // Absurd answers to A's own IAS query: a list of 65535 entries in a few bytes, a string
    // longer than the frame, a response that never sets Lst.
    () => iasClient === undefined ? bytes(r, 2) : {
      kind: 'data', dlsap: iasClient, slsap: LSAP.IAS,
      data: pick([
        Uint8Array.of(iapControl({ lst: true, ack: false, opcode: 4 }), 0x00, 0xFF, 0xFF, 0x00, 0x01, 0x03, 0x00, 0xFF, 0x41),
        Uint8Array.of(iapControl({ lst: true, ack: false, opcode: 4 }), 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0xFF, 0xFF, 0x01),
        Uint8Array.of(iapControl({ lst: false, ack: false, opcode: 4 }), ...bytes(r, 55)),
        Uint8Array.of(iapControl({ lst: true, ack: true, opcode: 4 })),
      ]),
    },
    () => {
      const q = encodeGetValueByClass({ className: 'Device', attributeName: 'DeviceName' })
      return { kind: 'connect', dlsap: LSAP.IAS, slsap: free(), userData: q.ok ? q.value.subarray(0, 20) : new Uint8Array(0) }
    },
  ]
  const out = pick(choices)()
  return out instanceof Uint8Array ? out : emitLmpPdu(out)
}

/** Reads until `n` bytes arrived or the socket closed; never rejects. */
async function collect (s: TtpSocket, n: number): Promise<{ data: Uint8Array, ended?: string }> {
  const parts: Uint8Array[] = []
  let got = 0
  for (;;) {
    for (let c = s.read(); c !== undefined; c = s.read()) { parts.push(c); got += c.length }
    if (got >= n) return { data: Buffer.concat(parts) }
    if (s.closed) return { data: Buffer.concat(parts), ended: s.closeError?.kind ?? 'closed' }
    await new Promise<void>(resolve => {
      const done = (): void => { s.off('readable', done); s.off('close', done); resolve() }
      s.on('readable', done)
      s.on('close', done)
    })
  }
}

/** Where `got` stops being a prefix of `sent`, or -1 when it is one. */
function firstDifference (got: Uint8Array, sent: Uint8Array): number {
  for (let i = 0; i < got.length; i++) if (i >= sent.length || got[i] !== sent[i]) return i
  return -1
}

const sleep = async (room: Room, ms: number): Promise<void> => { await new Promise<void>(resolve => room.clock.setTimer(room.clock.now() + ms, resolve)) }

/** Runs one seeded hostile scenario and reports what happened. Never throws for a stack failure: it lands in `problems`. */
export async function runHostile (opts: HostileOptions): Promise<HostileReport> {
  const { seed, kind } = opts
  const actions = opts.actions ?? (kind === 'floods' ? 2000 : 200)
  const payloadSize = opts.payload ?? 20000
  const r = new SeededRandom(seed)
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: [9600, 115200] }), nickname: 'victim', seed: r.u32() })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: [9600, 115200] }), nickname: 'honest', seed: r.u32() })
  const m: EmulatedPort = room.port('M')
  // Damaged frames whose FCS-16 still matched (1 in 65,536 of them): the medium, not the stack,
  // delivered those bytes wrong, and no layer above IrLAP checks data again.
  let fcsMissed = 0
  room.tap(rec => { for (const x of rec.receptions) if (x.result === 'undetected' && (x.station === 'A' || x.station === 'B')) fcsMissed++ })
  const trace = opts.trace
  if (trace !== undefined) {
    a.onFrame(rec => {
      const f = parseFrame(rec.frame)
      trace(`${rec.timestampMs.toFixed(1)} A ${rec.direction} ${f.ok ? JSON.stringify(f.value, (_k, v: unknown) => v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v) : `undecodable ${Buffer.from(rec.frame).toString('hex')}`}`)
    })
    m.listen(() => {})
  }
  const problems: string[] = []
  const report: HostileReport = { seed, kind, injected: 0, payload: payloadSize, echoed: 0, outcome: 'not started', virtualMs: 0, recovered: false, victim: {}, problems }

  // A: a TinyTP echo (with SAR, so SDUs that never end meet the bound) and a plain IrLMP echo.
  const echoSrv = a.ttpListen({ lsap: ECHO_LSAP, maxSduSize: 1024 })
  echoSrv.on('connection', s => { s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) if (!s.closed) s.write(c) }) })
  a.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: ECHO_LSAP })
  const lmpSrv = a.lmpListen({ lsap: LMP_LSAP })
  lmpSrv.on('connection', s => { s.on('readable', () => { for (let c = s.read(); c !== undefined; c = s.read()) if (!s.closed) s.write(c) }) })
  let creditCuts = 0
  a.ttpListen({ lsap: SINK_LSAP, rxWindow: 4, maxSduSize: 1024 }).on('connection', s => { s.on('close', e => { if (e?.kind === 'credit-overrun') creditCuts++ }) })

  // M knows the link's connection address (it travels in clear in every frame A sends).
  let caddr: number | undefined
  a.onFrame(rec => { if (rec.direction === 'out' && (rec.frame[0] >> 1) !== 0x7F) caddr = rec.frame[0] >> 1 })

  const gc = (globalThis as { gc?: () => void }).gc
  const heapNow = (): number => { gc?.(); return process.memoryUsage().heapUsed }
  const heapBefore = gc === undefined ? 0 : heapNow()
  const t0 = room.clock.now()
  const payload = bytes(r, payloadSize)
  let hostile = false
  const ias = { answered: 0, failed: 0 }
  let logPeak = 0
  const hostility = async (): Promise<void> => {
    hostile = true
    for (let i = 0; i < actions; i++) {
      await sleep(room, kind === 'floods' ? 5 + r.int(40) : 10 + r.int(150))
      // Half at the link's speed (frames at another speed reach A as garbage, which counts too).
      const speed = r.int(2) === 0 ? 9600 : a.station.link?.baudRate ?? 9600
      if (m.speed !== speed) void m.setSpeed(speed)
      m.send(hostileFrame(r, a.deviceAddress, caddr, kind === 'third-station' ? 'spoof' : kind === 'floods' ? 'flood' : 'bystander'))
      report.injected++
      logPeak = Math.max(logPeak, a.lmp.stats.discoveryLogSize)
    }
    hostile = false
  }

  try {
    await room.run((async () => {
      if (kind === 'floods') {
        // A discovers over and over while M floods XID commands and UI frames from spoofed sources.
        const done = hostility()
        let finished = false
        void done.then(() => { finished = true })
        while (!finished) { await a.runDiscovery({ slots: 6 }); await sleep(room, 200) }
        await done
        // M queues faster than 9600 b/s carries: its transmitter may still be busy for a while.
        while (m.stats.framesSent < report.injected) await sleep(room, 1000)
      }
      // A flood may still hold the medium (M's queue drains at 9600 b/s): B waits its turn.
      let s: TtpSocket | undefined
      for (let attempt = 0; s === undefined; attempt++) {
        try { s = await b.ttpConnect({ deviceAddress: a.deviceAddress, remoteLsap: ECHO_LSAP }) } catch (e) {
          if (attempt >= 10) throw e
          await sleep(room, 5000)
        }
      }
      const legit = { a: ECHO_LSAP, b: s.localLsap }
      let junk: { a: number, b: number } | undefined
      // A queries B's IAS now and then; B answers with absurd IAP frames too (A's selector sniffed from its connect).
      let iasClient: number | undefined
      a.onFrame(rec => {
        const f = parseFrame(rec.frame)
        if (rec.direction !== 'out' || !f.ok || f.value.kind !== 'I') return
        const pdu = parseLmpPdu(f.value.info)
        if (pdu.ok && pdu.value.kind === 'connect' && pdu.value.dlsap === LSAP.IAS) iasClient = pdu.value.slsap
      })
      const tasks: Array<Promise<unknown>> = []
      if (kind === 'third-station' || kind === 'bystander') tasks.push(hostility())
      if (kind === 'connected-peer') {
        // B's junk connection goes to A's sink, which never reads: credit overruns pile up there.
        const j = await b.ttpConnect({ deviceAddress: a.deviceAddress, remoteLsap: SINK_LSAP })
        junk = { a: SINK_LSAP, b: j.localLsap }
        hostile = true
        tasks.push((async () => {
          while (hostile) {
            await sleep(room, 500 + r.int(2000))
            try {
              await a.iasQuery(b.deviceAddress, 'Device', 'DeviceName')
              ias.answered++
            } catch { ias.failed++ }
          }
        })())
        tasks.push((async () => {
          for (let i = 0; i < actions; i++) {
            await sleep(room, 10 + r.int(150))
            const pdu = hostilePdu(r, legit, junk, iasClient)
            try {
              b.station.dataRequest(room.clock.now(), pdu.subarray(0, b.lmp.linkState().maxPdu))
              report.injected++
            } catch { /* the link is not up: nothing to inject into */ }
          }
          hostile = false
        })())
      }
      // The honest echo, in pieces, while the hostility runs.
      const echoed = collect(s, payload.length)
      for (let off = 0; off < payload.length && !s.closed; off += 200) {
        s.write(payload.subarray(off, Math.min(payload.length, off + 200)))
        await sleep(room, hostile ? 50 + r.int(200) : 10)
      }
      const got = await echoed
      report.echoed = got.data.length
      const diff = firstDifference(got.data, payload)
      if (diff >= 0 && fcsMissed === 0) problems.push(`echoed bytes differ from what was sent from byte ${diff} on (corrupted or reordered)`)
      if (diff >= 0 && fcsMissed > 0) report.mediumCorrupted = true
      report.outcome = got.ended ?? 'complete'
      await Promise.all(tasks)
      if (!s.closed) s.close()
    })(), { limitMs: hangLimitMs(actions) })
  } catch (e) {
    problems.push(`hostile phase: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
  }
  report.virtualMs = Math.round(room.clock.now() - t0)
  if (gc !== undefined) report.heap = { before: heapBefore, after: heapNow() }

  // Afterwards: B lets go of A, and a new station connects and echoes.
  try {
    await room.run(b.close(), { limitMs: hangLimitMs(actions) })
    const c = IrdaStack.create({ port: room.port('C', { supportedSpeeds: [9600, 115200] }), nickname: 'fresh', seed: r.u32() })
    await room.run((async () => {
      for (let attempt = 0; attempt < 20; attempt++) {
        try {
          const s = await c.ttpConnect({ deviceAddress: a.deviceAddress, remoteLsap: ECHO_LSAP })
          const probe = bytes(r, 300)
          s.write(probe)
          const got = await collect(s, probe.length)
          if (Buffer.compare(Buffer.from(got.data), Buffer.from(probe)) === 0) { report.recovered = true; s.close(); return }
          problems.push(`the fresh connection echoed ${got.data.length} bytes, not the 300 sent (${got.ended ?? 'open'})`)
          return
        } catch { await sleep(room, 3000) } // A may still be timing out a link a hostile frame opened
      }
    })(), { limitMs: hangLimitMs(actions) })
    if (!report.recovered) problems.push('A did not accept a new connection afterwards')
    await room.run(c.close(), { limitMs: hangLimitMs(actions) })
  } catch (e) {
    problems.push(`afterwards: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`)
  }

  const st = a.stats()
  report.victim = {
    fcsMissed,
    ttpCreditOverrunCuts: creditCuts,
    iasQueriesAnswered: ias.answered, iasQueriesFailed: ias.failed,
    lapMalformed: st.lap.malformed, lapIgnored: st.lap.ignored, lapReservedAddress: st.lap.reservedAddress, lapFrmrSent: st.lap.frmrSent,
    lmpMalformed: st.lmp.malformed, lmpPdusReceived: st.lmp.pdusReceived, discoveryLogPeak: logPeak, discoveryLogEvicted: st.lmp.discoveryLogEvicted,
    badTtpConnects: st.stack.badTtpConnects, lapRequestsRefused: st.stack.lapRequestsRefused, openConnections: a.lmp.connections().length,
  }
  for (const bad of a.station.checkInvariants()) problems.push(`IrLAP invariant: ${bad}`)
  if (st.lmp.discoveryLogSize > a.lmp.discoveryLogLimit) problems.push(`discovery log holds ${st.lmp.discoveryLogSize} > ${a.lmp.discoveryLogLimit}`)
  if (kind !== 'floods' && report.outcome === 'complete' && report.echoed !== payloadSize) problems.push(`echo completed with ${report.echoed} of ${payloadSize} bytes`)
  if ((kind === 'connected-peer' || kind === 'bystander') && report.outcome !== 'complete') problems.push(`the honest connection ended (${report.outcome}) although only PDUs on other connections were hostile`)
  await room.run(a.close(), { limitMs: hangLimitMs(actions) }).catch((e: unknown) => { problems.push(`closing A: ${String(e)}`) })
  return report
}
