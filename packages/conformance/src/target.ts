/*!
 * Targets: where the device under test is and how the tester station reaches it.
 *
 * - `loopback`: our own stack in an emulated room with the tester, in virtual time;
 * - `pty:<path>`: a device behind a pseudo-terminal (the Linux guest's IrDA port), plain SIR;
 * - `serial:<path>` with a dongle profile: a device in front of a real dongle;
 * - `room:<socket>`: a room served by `irda room serve` (real time).
 */
import type { Port } from '@irdakit/core'
import { Room, connectRoom } from '@irdakit/emulator'
import { openSerialPort } from '@irdakit/serial'
import { IrdaStack } from '@irdakit/stack'
import type { IrSock } from '@irdakit/irsock'
import type { QosCapabilities } from '@irdakit/lap'
import type { TargetControl } from './case.js'
import { mutantByName, plantMutant, type Mutant } from './mutants/index.js'

export interface Target {
  /** As given: `loopback`, `pty:/dev/pts/3`, ... */
  name: string
  /** The tester station's port on the target's medium. */
  port: Port
  /** Drives time until `p` settles (virtual rooms), or just awaits it. */
  run: <T>(p: Promise<T>) => Promise<T>
  close: () => Promise<void>
  control?: TargetControl
  /** IAS class of a TinyTP echo service on the target, when one is known. */
  echoClass?: string
  /** The emulated room (loopback): for captures and faults. */
  room?: Room
  /** False when the medium passes bytes without line time (a bare pty): timing cases are N/A. */
  lineTiming?: boolean
  /** An IAS attribute whose value needs several IAP frames, when the target has one. */
  longValue?: { className: string, attributeName: string }
}

export interface TargetOptions {
  /** Dongle profile for `serial:` targets. Default `none`. */
  dongle?: string
  /** Seed of the loopback room and stack. */
  seed?: number
  /** The IAS class of the target's echo service (`pty:`, `serial:`, `room:`); loopback has `Echo`. */
  echoClass?: string
  /** A mutant (fault switch) planted in the loopback stack, by name (see MUTANTS). */
  mutant?: string
  /** A `pty:` target is paced like a real line (pacer.py between): timing cases apply. */
  paced?: boolean
}

export class TargetError extends Error {
  static override name = 'TargetError'
  constructor (message: string) { super(message); this.name = 'TargetError' }
}

/** The loopback device's address and the class of its TinyTP echo service. */
export const LOOPBACK_ADDRESS = 0x1DA0C0DE
export const ECHO_CLASS = 'Echo'

/** Opens a target from its spec. Throws {@link TargetError} for a bad spec or a medium that does not open. */
export async function openTarget (spec: string, opts: TargetOptions = {}): Promise<Target> {
  if (spec === 'loopback') return loopbackTarget(opts.seed ?? 1, opts.mutant !== undefined ? { mutant: mutantByName(opts.mutant) } : {})
  const m = /^(pty|serial|room):(.+)$/.exec(spec)
  if (m === null) throw new TargetError(`unknown target "${spec}": use loopback, pty:<path>, serial:<path> or room:<socket>`)
  const [, kind, path] = m
  const echo = opts.echoClass !== undefined ? { echoClass: opts.echoClass } : {}
  try {
    if (kind === 'room') {
      const port = await connectRoom(path, { name: `conformance-${process.pid}`, supportedSpeeds: [9600] })
      return { name: spec, port, run: async p => await p, close: async () => { await port.close() }, ...echo }
    }
    const port = await openSerialPort({ path, dongle: kind === 'pty' ? 'none' : (opts.dongle ?? 'none') })
    return { name: spec, port, run: async p => await p, close: async () => { await port.close().catch(() => {}) }, lineTiming: kind !== 'pty' || opts.paced === true, ...echo }
  } catch (e) {
    throw new TargetError(`cannot open ${spec}: ${(e as Error).message}`)
  }
}

/**
 * What the loopback device offers the cases: a TinyTP echo service (with SAR) registered in IAS
 * as `Echo`, and an IAS value that spans several frames. Also for tests that put our stack
 * behind a pty or in a served room.
 */
export function addEchoService (stack: IrdaStack): void {
  const server = stack.ttpListen({ maxSduSize: 1024 })
  stack.ias.set(ECHO_CLASS, 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
  stack.ias.set('Conformance', 'LongValue', { type: 'octets', value: Uint8Array.from({ length: 300 }, (_, i) => i & 0xFF) })
  server.on('connection', sock => {
    sock.on('readable', () => { for (let d = sock.receive(); d !== undefined; d = sock.receive()) sock.write(d) })
  })
}

/**
 * Our stack in a virtual room beside the tester, with a TinyTP echo service registered as `Echo`;
 * optionally with a mutant planted, or other capabilities (`qos`: a smaller data size makes
 * `LAP/SEC/ERR/BI-02` apply).
 */
export function loopbackTarget (seed = 1, opts: { mutant?: Mutant, qos?: QosCapabilities } = {}): Target {
  const room = new Room({ time: 'virtual', seed })
  const port = room.port('tester')
  const planted = opts.mutant !== undefined ? plantMutant(room.port('dut'), opts.mutant) : undefined
  const timing = planted?.planted.timing
  const stack = IrdaStack.create({ port: planted?.port ?? room.port('dut'), nickname: 'irdakit', deviceAddress: LOOPBACK_ADDRESS, seed, ...(timing !== undefined ? { timing } : {}), ...(opts.qos !== undefined ? { qos: opts.qos } : {}) })
  addEchoService(stack)
  const wrap = planted?.planted.irsock
  return {
    name: 'loopback',
    port,
    run: async p => await room.run(p),
    // Closing may need medium time (a link still up says goodbye): drive it, in virtual time too.
    close: async () => { await room.run(stack.close(0)).catch(() => {}); await room.close() },
    control: { stack, ...(wrap !== undefined ? { wrapIrSock: (S: IrSock) => wrap(S, stack) } : {}) },
    echoClass: ECHO_CLASS,
    room,
    longValue: { className: 'Conformance', attributeName: 'LongValue' },
  }
}
