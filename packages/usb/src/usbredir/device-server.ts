/*!
 * A usbredir device server: presents one `UsbDevice` (a chip model) to a usbredir guest such as
 * qemu's `-device usb-redir`, so a virtual machine's own driver drives the emulated dongle.
 * Standard requests are answered from descriptors built here (qemu handles SET_ADDRESS itself and
 * turns SET_CONFIGURATION / SET_INTERFACE into their own packets); class and vendor requests and
 * every bulk and interrupt transfer go to the device. IN requests are held until the device has
 * data (a pump per endpoint keeps one device transfer pending and hands its chunks out in order;
 * a cancelled request is answered `cancelled`). Interrupt IN runs after start_interrupt_receiving,
 * as unsolicited packets with our own ids. Runs in real time; closing the socket is an unplug.
 */
import type { Duplex } from 'node:stream'
import { bytesOf, type UsbControlSetup, type UsbDevice } from '../usb-device.js'
import { Cap, descriptorsOf, encodePacket, endpointsOf, OUR_CAPS, PacketReader, Status, T, type Packet } from './wire.js'

export interface DeviceServerStats { packetsIn: number, packetsOut: number, controls: number, bulkOut: number, bulkIn: number, interruptOut: number, interruptIn: number, cancels: number, unknown: number }

/** How long an empty control-IN answer is held back (KS-959 polls in a tight loop). */
const EMPTY_POLL_DELAY_MS = 2
const REQUEST_TYPES = ['standard', 'class', 'vendor'] as const
const RECIPIENTS = ['device', 'interface', 'endpoint', 'other'] as const

interface InRequest { id: bigint, length: number, stream: number }

export class UsbredirDeviceServer {
  readonly stats: DeviceServerStats = { packetsIn: 0, packetsOut: 0, controls: 0, bulkOut: 0, bulkIn: 0, interruptOut: 0, interruptIn: 0, cancels: 0, unknown: 0 }
  private readonly reader = new PacketReader()
  private peerCaps: number | undefined
  private config = 0
  private readonly desc
  private readonly eps
  private readonly inQueues = new Map<number, { requests: InRequest[], chunks: Buffer[], pumping: boolean }>()
  private readonly interruptOn = new Set<number>()
  private interruptId = 0n
  private closed = false

  constructor (private readonly socket: Duplex, private readonly device: UsbDevice, private readonly log: (line: string) => void = () => {}) {
    this.desc = descriptorsOf(device)
    this.eps = endpointsOf(device)
    socket.on('data', (d: Buffer) => this.onData(d))
    socket.on('close', () => { this.closed = true })
    socket.on('error', () => { this.closed = true })
    this.send(T.hello, 0n, Buffer.concat([Buffer.from('irdakit usb-redir'.padEnd(64, '\0')), u32(OUR_CAPS)]))
  }

  /** Unplugs: closes the connection (qemu detaches the device). */
  close (): void {
    this.closed = true
    this.socket.end()
  }

  private both (cap: number): boolean { return this.peerCaps !== undefined && (this.peerCaps & OUR_CAPS & (1 << cap)) !== 0 }

  private send (type: number, id: bigint, body: Buffer): void {
    if (this.closed) return
    this.stats.packetsOut++
    this.socket.write(encodePacket(type, id, body, this.peerCaps !== undefined && this.both(Cap.ids64)))
  }

  private onData (d: Buffer): void {
    let packets: Packet[]
    try { packets = this.reader.push(d) } catch (e) { this.log(String(e)); this.close(); return }
    for (const p of packets) {
      this.stats.packetsIn++
      this.packet(p).catch(e => { this.log(`usbredir: ${String(e)}`) })
      if (p.type === T.hello) {
        // The hello sets the header size of everything after it.
        this.reader.ids64 = this.both(Cap.ids64)
        const rest = this.reader.rest()
        if (rest.length > 0) this.onData(rest)
        return
      }
    }
  }

  private async packet (p: Packet): Promise<void> {
    const b = p.body
    switch (p.type) {
      case T.hello:
        this.peerCaps = b.length >= 68 ? b.readUInt32LE(64) : 0
        this.log(`hello from "${b.subarray(0, 64).toString('latin1').replace(/\0.*$/s, '')}" caps 0x${this.peerCaps.toString(16)}`)
        await this.connectDevice()
        return
      case T.controlPacket: await this.onControl(p); return
      case T.bulkPacket: await this.onBulk(p); return
      case T.interruptPacket: await this.onInterruptOut(p); return
      case T.setConfiguration:
        this.config = b[0]
        this.epInfo(); this.interfaceInfo()
        this.send(T.configurationStatus, p.id, Buffer.from([Status.success, this.config]))
        return
      case T.getConfiguration: this.send(T.configurationStatus, p.id, Buffer.from([Status.success, this.config])); return
      case T.setAltSetting:
        this.epInfo(); this.interfaceInfo()
        this.send(T.altSettingStatus, p.id, Buffer.from([b[1] === 0 ? Status.success : Status.stall, b[0], b[1]]))
        return
      case T.getAltSetting: this.send(T.altSettingStatus, p.id, Buffer.from([Status.success, b[0], 0])); return
      case T.startInterruptReceiving:
        this.send(T.interruptReceivingStatus, p.id, Buffer.from([Status.success, b[0]]))
        if (!this.interruptOn.has(b[0])) { this.interruptOn.add(b[0]); void this.interruptPump(b[0]) }
        return
      case T.stopInterruptReceiving:
        this.interruptOn.delete(b[0])
        this.send(T.interruptReceivingStatus, p.id, Buffer.from([Status.success, b[0]]))
        return
      case T.cancelDataPacket: this.cancel(p.id); return
      case T.reset: case T.deviceDisconnectAck: return
      default: this.stats.unknown++; this.log(`usbredir: packet type ${p.type} ignored`)
    }
  }

  private async connectDevice (): Promise<void> {
    if (!this.device.opened) await this.device.open()
    this.config = 1
    this.epInfo(); this.interfaceInfo()
    const body = Buffer.alloc(8)
    body.set([1, 0, 0, 0]) // full speed; class, subclass, protocol from the interface
    body.writeUInt16LE(this.device.vendorId, 4)
    body.writeUInt16LE(this.device.productId, 6)
    const version = Buffer.alloc(2)
    version.writeUInt16LE((this.device.deviceVersionMajor << 8) | (this.device.deviceVersionMinor << 4) | this.device.deviceVersionSubminor)
    this.send(T.deviceConnect, 0n, this.both(Cap.connectDeviceVersion) ? Buffer.concat([body, version]) : body)
  }

  private epInfo (): void {
    const types = Buffer.alloc(32, 255); const intervals = Buffer.alloc(32); const ifaces = Buffer.alloc(32); const mps = Buffer.alloc(64)
    types[0] = types[16] = 0
    mps.writeUInt16LE(64, 0); mps.writeUInt16LE(64, 32)
    if (this.config !== 0) {
      for (const e of this.eps) {
        const i = (e.address & 0x0F) | ((e.address & 0x80) >> 3)
        types[i] = e.type; intervals[i] = e.interval; mps.writeUInt16LE(e.maxPacket, i * 2)
      }
    }
    this.send(T.epInfo, 0n, Buffer.concat([types, intervals, ifaces, ...(this.both(Cap.epInfoMaxPacketSize) ? [mps] : [])]))
  }

  private interfaceInfo (): void {
    const alt = this.device.configuration?.interfaces[0]?.alternate
    const one = (v: number): Buffer => { const b = Buffer.alloc(32); b[0] = v; return b }
    this.send(T.interfaceInfo, 0n, Buffer.concat([u32(this.config !== 0 ? 1 : 0), one(0), one(alt?.interfaceClass ?? 0xFF), one(alt?.interfaceSubclass ?? 0), one(alt?.interfaceProtocol ?? 0)]))
  }

  private async onControl (p: Packet): Promise<void> {
    this.stats.controls++
    const b = p.body
    const [ep, request, rt] = [b[0], b[1], b[2]]
    const value = b.readUInt16LE(4); const index = b.readUInt16LE(6); const length = b.readUInt16LE(8)
    const data = b.subarray(10)
    const isIn = (rt & 0x80) !== 0
    let status: number = Status.success
    let reply: Buffer | undefined = isIn ? Buffer.alloc(0) : undefined
    const type = (rt >> 5) & 3
    try {
      if (type === 0) {
        if (request === 6 && isIn) {
          const dt = value >> 8
          const found = dt === 1 ? this.desc.device : dt === 2 ? this.desc.config : dt === 3 ? this.desc.strings.get(value & 0xFF) : undefined
          if (found === undefined) status = Status.stall; else reply = found
        } else if (request === 0 && isIn) reply = Buffer.alloc(2)
        else if (isIn) status = Status.stall
      } else if (type < 3) {
        const setup: UsbControlSetup = { requestType: REQUEST_TYPES[type], recipient: RECIPIENTS[rt & 3], request, value, index }
        if (isIn) {
          const r = await this.device.controlTransferIn(setup, length)
          if (r.status !== 'ok') status = Status.stall; else reply = Buffer.from(bytesOf(r))
          if (reply !== undefined && reply.length === 0 && type !== 0) await new Promise(resolve => setTimeout(resolve, EMPTY_POLL_DELAY_MS))
        } else {
          const r = await this.device.controlTransferOut(setup, data)
          if (r.status !== 'ok') status = Status.stall
        }
      } else status = Status.stall
    } catch {
      status = Status.ioerror
    }
    const head = Buffer.alloc(10)
    head.set([ep, request, rt, status])
    head.writeUInt16LE(value, 4); head.writeUInt16LE(index, 6)
    if (isIn) {
      const out = (status === Status.success ? reply ?? Buffer.alloc(0) : Buffer.alloc(0)).subarray(0, length)
      head.writeUInt16LE(out.length, 8)
      this.send(T.controlPacket, p.id, Buffer.concat([head, out]))
    } else {
      head.writeUInt16LE(status === Status.success ? data.length : 0, 8)
      this.send(T.controlPacket, p.id, head)
    }
  }

  private bulkHeader (ep: number, status: number, length: number, stream: number): Buffer {
    const h = Buffer.alloc(this.both(Cap.bulkLength32) ? 10 : 8)
    h.set([ep, status])
    h.writeUInt16LE(length & 0xFFFF, 2)
    h.writeUInt32LE(stream, 4)
    if (h.length === 10) h.writeUInt16LE(length >>> 16, 8)
    return h
  }

  private async onBulk (p: Packet): Promise<void> {
    const b = p.body
    const hl = this.both(Cap.bulkLength32) ? 10 : 8
    const ep = b[0]
    let length = b.readUInt16LE(2)
    const stream = b.readUInt32LE(4)
    if (hl === 10) length |= b.readUInt16LE(8) << 16
    if ((ep & 0x80) !== 0) {
      this.stats.bulkIn++
      const q = this.queue(ep)
      q.requests.push({ id: p.id, length, stream })
      this.serve(ep)
      void this.inPump(ep)
      return
    }
    this.stats.bulkOut++
    const data = b.subarray(hl)
    let status: number = Status.success
    try {
      const r = await this.device.transferOut(ep & 0x0F, data)
      if (r.status !== 'ok') status = Status.stall
    } catch { status = Status.ioerror }
    this.send(T.bulkPacket, p.id, this.bulkHeader(ep, status, status === Status.success ? data.length : 0, stream))
  }

  private async onInterruptOut (p: Packet): Promise<void> {
    this.stats.interruptOut++
    const b = p.body
    const ep = b[0]
    const data = b.subarray(4)
    let status: number = Status.success
    try {
      const r = await this.device.transferOut(ep & 0x0F, data)
      if (r.status !== 'ok') status = Status.stall
    } catch { status = Status.ioerror }
    const h = Buffer.from([ep, status, 0, 0])
    h.writeUInt16LE(status === Status.success ? data.length : 0, 2)
    this.send(T.interruptPacket, p.id, h)
  }

  private queue (ep: number): { requests: InRequest[], chunks: Buffer[], pumping: boolean } {
    let q = this.inQueues.get(ep)
    if (q === undefined) { q = { requests: [], chunks: [], pumping: false }; this.inQueues.set(ep, q) }
    return q
  }

  /** Keeps one device IN transfer pending on `ep` while the guest wants data. */
  private async inPump (ep: number): Promise<void> {
    const q = this.queue(ep)
    if (q.pumping) return
    q.pumping = true
    try {
      while (!this.closed && q.requests.length > 0) {
        const r = await this.device.transferIn(ep & 0x0F, 4096)
        const data = Buffer.from(bytesOf(r))
        if (data.length > 0) q.chunks.push(data)
        this.serve(ep)
      }
    } catch (e) {
      if (!this.closed) this.log(`usbredir: IN ${ep.toString(16)}: ${String(e)}`)
    } finally {
      q.pumping = false
    }
  }

  /** Hands buffered chunks to waiting bulk IN requests, one chunk (a device transfer) each. */
  private serve (ep: number): void {
    const q = this.queue(ep)
    while (q.requests.length > 0 && q.chunks.length > 0) {
      const req = q.requests.shift()!
      let chunk = q.chunks.shift()!
      if (chunk.length > req.length) { q.chunks.unshift(chunk.subarray(req.length)); chunk = chunk.subarray(0, req.length) }
      this.send(T.bulkPacket, req.id, Buffer.concat([this.bulkHeader(ep, Status.success, chunk.length, req.stream), chunk]))
    }
  }

  private cancel (id: bigint): void {
    this.stats.cancels++
    for (const [ep, q] of this.inQueues) {
      const i = q.requests.findIndex(r => r.id === id)
      if (i < 0) continue
      const [req] = q.requests.splice(i, 1)
      this.send(T.bulkPacket, id, this.bulkHeader(ep, Status.cancelled, 0, req.stream))
      return
    }
  }

  /** Interrupt IN after start_interrupt_receiving: what the device delivers goes out unsolicited, a max packet at a time. */
  private async interruptPump (ep: number): Promise<void> {
    const maxPacket = this.eps.find(e => e.address === ep)?.maxPacket ?? 8
    try {
      while (!this.closed && this.interruptOn.has(ep)) {
        const r = await this.device.transferIn(ep & 0x0F, maxPacket)
        const data = Buffer.from(bytesOf(r))
        for (let i = 0; i < data.length; i += maxPacket) {
          const chunk = data.subarray(i, i + maxPacket)
          const h = Buffer.from([ep, Status.success, 0, 0])
          h.writeUInt16LE(chunk.length, 2)
          this.stats.interruptIn++
          this.send(T.interruptPacket, this.interruptId++, Buffer.concat([h, chunk]))
        }
      }
    } catch (e) {
      if (!this.closed) this.log(`usbredir: interrupt IN ${ep.toString(16)}: ${String(e)}`)
    }
  }
}

function u32 (v: number): Buffer { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b }
