/*!
 * The laptop's side of the main job on a real medium (a dongle, or a room served by `irda room
 * serve`), in real time: discovery until someone answers, IrSock's connect to the `IrDA:IrCOMM`
 * echo (IAS lookup, then TinyTP with 9-wire framing), the echo itself ({@link echo}) and the same
 * summary as {@link runDemo}. The other side is `irda demo --responder` ({@link listenEcho}), or
 * any device that echoes on IrCOMM. Frames are the ones this station sent and received, decoded;
 * received ones carry the peer's nickname as their sender (a discovery answer, its own).
 */
import { DecodeSession, decodeFrame } from '@irdakit/capture'
import type { IrdaStack } from '@irdakit/stack'
import { parseDiscoveryInfo, parseFrame } from '@irdakit/lap'
import type { DeviceInfo } from '@irdakit/lmp'
import { DEMO_SERVICE_CLASS, echo, throughput, type DemoResult, type TraceFrame } from './demo.js'
import { closed, connectService } from './transfer.js'
import { UserError, hex32, oneLine } from './output.js'

/** Discovery rounds on a port or in a served room before giving up, unless asked. */
export const LINK_DISCOVERY_ROUNDS = 5

export interface LinkDemoOptions {
  /** The bytes to echo. */
  data: Uint8Array
  /** Where the stack's port is, for messages: `room /tmp/x.sock`, `/dev/ttyUSB0 (tekram)`. */
  label: string
  /** Discovery rounds while nobody answers. Default {@link LINK_DISCOVERY_ROUNDS}. */
  rounds?: number
  /** Write every frame this station sends and receives to this pcap. */
  pcap?: string
  /** Called for every frame sent or received, in order. `sender` is our nickname or the peer's. */
  onFrame?: (frame: TraceFrame) => void
  onProgress?: (echoed: number, total: number) => void
}

/**
 * Runs the demo's initiator on `stack` and closes the stack at the end, whatever happens. Nobody
 * answering, a failed connect or a connection lost mid-echo are {@link UserError}s (one line, exit 1).
 */
export async function runDemoOn (stack: IrdaStack, nickname: string, opts: LinkDemoOptions): Promise<DemoResult> {
  const clock = stack.clock
  const t0 = clock.now()
  const session = new DecodeSession()
  let frames = 0
  let peerName = 'peer'
  const off = stack.onFrame(rec => {
    frames++
    opts.onFrame?.({
      timeMs: rec.timestampMs - t0,
      sender: rec.direction === 'out' ? nickname : announced(rec.frame) ?? peerName,
      direction: rec.direction,
      speed: stack.port.speed,
      decoded: decodeFrame(rec.frame, session),
      frame: rec.frame,
    })
  })
  let capture: { close: () => void } | undefined
  try {
    if (opts.pcap !== undefined) capture = pcapOf(stack, opts.pcap)
    const devices = await discoverSomeone(stack, opts.rounds ?? LINK_DISCOVERY_ROUNDS, opts.label)
    // One device: it is the peer. Several: IrSock's connect asks each for the service and takes the one offering it.
    const only = devices.length === 1 ? devices[0] : undefined
    if (only !== undefined) peerName = only.nickname
    const sock = await connectService(stack, DEMO_SERVICE_CLASS, only?.deviceAddress, { nineWire: true })
    sock.on('error', () => {}) // reported by echo() while it runs; later ones change nothing
    const deviceAddress = sock.deviceAddress ?? 0
    const peer = devices.find(d => d.deviceAddress === deviceAddress)
    peerName = peer?.nickname ?? hex32(deviceAddress)
    // The line rate the ratio is against: what IrLAP negotiated, not the top speed we offered.
    const speed = stack.station.link?.baudRate ?? stack.port.speed
    const { ms, identical } = await echo(sock, opts.data, clock, opts.onProgress)
      .catch((e: unknown) => { throw new UserError(oneLine(e), 1) })
    const lsap = sock.remoteLsap ?? 0
    sock.end()
    await closed(sock)
    await stack.close()
    const link = stack.station.stats
    return {
      peer: { nickname: peer?.nickname ?? '', deviceAddress },
      lsap,
      bytes: opts.data.length,
      ms,
      identical,
      ...throughput(opts.data.length, ms, speed),
      retransmissions: link.retransmissions,
      rxErrors: link.rxErrors,
      frames,
      ...(opts.pcap !== undefined ? { pcap: opts.pcap } : {}),
    }
  } finally {
    await stack.close().catch(() => {})
    off()
    capture?.close()
  }
}

/** The nickname a discovery answer (an XID response) announces; undefined for any other frame. */
function announced (frame: Uint8Array): string | undefined {
  const f = parseFrame(frame)
  if (!f.ok || f.value.kind !== 'XID' || f.value.command || f.value.info.discoveryInfo === undefined) return undefined
  const d = parseDiscoveryInfo(f.value.info.discoveryInfo)
  return d.ok ? d.value.nickname : undefined
}

/** Discovers until some device answers, at most `rounds` times. */
async function discoverSomeone (stack: IrdaStack, rounds: number, label: string): Promise<DeviceInfo[]> {
  for (let round = 0; round < rounds; round++) {
    const devices = await stack.discover()
    if (devices.length > 0) return devices
  }
  throw new UserError(`nobody answered discovery on ${label} (${rounds} round${rounds === 1 ? '' : 's'}); is irda demo --responder running on the other side?`, 1)
}

function pcapOf (stack: IrdaStack, path: string): { close: () => void } {
  try {
    return stack.capture(path)
  } catch (e) {
    throw new UserError(`cannot write --pcap ${path}: ${(e as NodeJS.ErrnoException).code ?? oneLine(e)}`)
  }
}
