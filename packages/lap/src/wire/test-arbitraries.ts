/*!
 * fast-check arbitraries for IrLAP Reprs: every frame kind, in both directions where allowed,
 * with field values spanning their whole range. Test-only (excluded from the build).
 */
import fc from 'fast-check'
import type { LapFrame, QosFields, FrameHeader } from '../frame.js'
import { BROADCAST_CADDR } from '../frame.js'
import { VALID_BITS } from '../qos/tables.js'

const u32 = fc.integer({ min: 0, max: 0xFFFFFFFF })
const caddr = fc.integer({ min: 0, max: 0x7F })
const seq = fc.integer({ min: 0, max: 7 })
const bytes = (maxLength = 64): fc.Arbitrary<Uint8Array> => fc.uint8Array({ maxLength })
const bits = (mask: number): fc.Arbitrary<number> => fc.integer({ min: 1, max: mask }).filter(v => (v & mask) === v)

/** QoS fields with at least one valid bit per field (what parse returns). */
export const qosFields: fc.Arbitrary<QosFields> = fc.record({
  baudRate: bits(VALID_BITS.baudRate),
  maxTurnaround: bits(VALID_BITS.maxTurnaround),
  dataSize: bits(VALID_BITS.dataSize),
  windowSize: bits(VALID_BITS.windowSize),
  additionalBofs: bits(VALID_BITS.additionalBofs),
  minTurnaround: bits(VALID_BITS.minTurnaround),
  linkDisconnect: bits(VALID_BITS.linkDisconnect),
})

const KNOWN_PIS = new Set([0x01, 0x82, 0x83, 0x84, 0x85, 0x86, 0x08])
const unknownParams = fc.array(fc.record({
  pi: fc.integer({ min: 0, max: 0xFF }).filter(pi => !KNOWN_PIS.has(pi)),
  pv: bytes(4),
}), { minLength: 1, maxLength: 3 })

/** Optional QoS, with unknown parameters only alongside QoS (alone they would decode as QoS with every field missing). */
const qosPart = fc.oneof(
  fc.constant({}),
  fc.record({ qos: qosFields }),
  fc.record({ qos: qosFields, unknownParams }),
)

const header = (command: fc.Arbitrary<boolean>, ca: fc.Arbitrary<number> = caddr): fc.Arbitrary<FrameHeader> =>
  fc.record({ caddr: ca, command, pf: fc.boolean() })

const anyDir = fc.boolean()
const cmd = fc.constant(true)
const rsp = fc.constant(false)
const sKind = fc.constantFrom('RR' as const, 'RNR' as const, 'REJ' as const, 'SREJ' as const)

const xidInfo = fc.record({
  format: fc.integer({ min: 0, max: 0xFF }),
  source: u32,
  destination: u32,
  slots: fc.constantFrom(1 as const, 6 as const, 8 as const, 16 as const),
  newAddress: fc.boolean(),
  slot: fc.integer({ min: 0, max: 0xFF }),
  version: fc.integer({ min: 0, max: 0xFF }),
  discoveryInfo: fc.option(fc.uint8Array({ minLength: 1, maxLength: 32 }), { nil: undefined }),
}).map(x => { const { discoveryInfo, ...rest } = x; return discoveryInfo === undefined ? rest : { ...rest, discoveryInfo } })

/** Every IrLAP frame kind. */
export const lapFrame: fc.Arbitrary<LapFrame> = fc.oneof(
  fc.tuple(header(anyDir), seq, seq, bytes()).map(([h, ns, nr, info]): LapFrame => ({ ...h, kind: 'I', ns, nr, info })),
  fc.tuple(header(anyDir), sKind, seq).map(([h, kind, nr]): LapFrame => ({ ...h, kind, nr })),
  fc.tuple(header(cmd), fc.option(fc.tuple(u32, u32, caddr, qosPart), { nil: undefined })).map(([h, i]): LapFrame =>
    i === undefined ? { ...h, kind: 'SNRM' } : { ...h, kind: 'SNRM', info: { source: i[0], destination: i[1], connAddr: i[2], ...i[3] } }),
  fc.tuple(header(rsp), fc.option(fc.tuple(u32, u32, qosPart), { nil: undefined })).map(([h, i]): LapFrame =>
    i === undefined ? { ...h, kind: 'UA' } : { ...h, kind: 'UA', info: { source: i[0], destination: i[1], ...i[2] } }),
  header(cmd).map((h): LapFrame => ({ ...h, kind: 'DISC' })),
  header(rsp).chain(h => fc.constantFrom('RD' as const, 'DM' as const, 'RNRM' as const).map((kind): LapFrame => ({ ...h, kind }))),
  fc.tuple(header(rsp), fc.record({
    rejectedControl: fc.integer({ min: 0, max: 0xFF }), vs: seq, vr: seq, rejectedCommand: fc.boolean(),
    w: fc.boolean(), x: fc.boolean(), y: fc.boolean(), z: fc.boolean(),
  })).map(([h, info]): LapFrame => ({ ...h, kind: 'FRMR', info })),
  fc.tuple(header(anyDir), bytes()).map(([h, info]): LapFrame => ({ ...h, kind: 'UI', info })),
  fc.tuple(header(anyDir, fc.constant(BROADCAST_CADDR)), xidInfo).map(([h, info]): LapFrame => ({ ...h, kind: 'XID', info })),
  fc.tuple(header(anyDir, fc.constant(BROADCAST_CADDR)), u32, u32, bytes()).map(([h, source, destination, data]): LapFrame =>
    ({ ...h, kind: 'TEST', info: { source, destination, data } })),
  fc.tuple(header(anyDir, caddr.filter(c => c !== BROADCAST_CADDR)), bytes()).map(([h, data]): LapFrame => ({ ...h, kind: 'TEST', info: { data } })),
)
