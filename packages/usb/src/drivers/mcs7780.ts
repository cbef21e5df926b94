/*!
 * Driver for the MosChip MCS7780 (9710:7780), after Linux's mcs7780: the host frames (SIR wrap,
 * MIR FCS-16, FIR FCS-32), the chip modulates. Set-up and speed changes are register writes; a
 * speed change waits for the transmitter to go idle (register 7 bit 0), sets MINRXPW (0 at SIR,
 * 5 at MIR/FIR) and re-runs the transceiver set-up when the class changes, as MosChip advised.
 * Unlike Linux, halts are cleared on the right pipes (Linux swaps them; the chip does not care).
 */
import { checkFcs16, checkFcs32, SirUnwrapper, BOF, EOF } from '@irdakit/phy'
import { bytesOf, type UsbDevice } from '../usb-device.js'
import { sleep, type DongleQos, type DriverContext, type RxItem, type SendParams, type UsbIrdaDriver } from '../driver.js'
import { UsbDeviceError } from '../errors.js'
import {
  encodeMcsTransfer, MCS_ASK, MCS_BBTG, MCS_DRIVER, MCS_DTD, MCS_FIR, MCS_IRINTX, MCS_MINRXPW_REG, MCS_MODE0, MCS_MODE_REG, MCS_PLLPWDN, MCS_RDREQ,
  MCS_RESET, MCS_RESV_REG, MCS_RXFAST, MCS_SIPEN, MCS_SIR16US, MCS_SPEEDS, MCS_WRREQ, MCS_XCVR_CONF, MCS_XCVR_REG, modeForSpeed
} from './mcs7780-codec.js'

const RX_LENGTH = 4096
const speedClass = (bps: number): 'sir' | 'mir' | 'fir' => bps <= 115200 ? 'sir' : bps <= 1152000 ? 'mir' : 'fir'

export class Mcs7780Driver implements UsbIrdaDriver {
  readonly kind = 'mcs7780' as const
  readonly speeds = MCS_SPEEDS
  readonly timesTurnaround = false
  /** Linux's mcs7780 offers 1 ms and up (qos_mtt_bits 0x07); without it the stack offered its default, 10 ms. */
  readonly qos: DongleQos = { minTurnaroundMs: 1 }
  private readonly device: UsbDevice
  private epIn = 1
  private epOut = 2
  private speed = 9600
  private readonly sir = new SirUnwrapper()

  constructor (private readonly ctx: DriverContext) { this.device = ctx.device }

  async open (): Promise<void> {
    const d = this.device
    if (!d.opened) await d.open()
    if (d.configuration == null) await d.selectConfiguration(1)
    const iface = d.configuration?.interfaces[0]
    const eps = iface?.alternate.endpoints ?? []
    const i = eps.find(e => e.direction === 'in')
    const o = eps.find(e => e.direction === 'out')
    if (iface === undefined || i === undefined || o === undefined) throw new UsbDeviceError('MCS7780: no bulk IN/OUT endpoint pair')
    this.epIn = i.endpointNumber
    this.epOut = o.endpointNumber
    await d.claimInterface(iface.interfaceNumber)
    await d.clearHalt('out', this.epOut)
    await d.clearHalt('in', this.epIn)
    await this.setupTransceiver()
  }

  async setReg (reg: number, value: number): Promise<void> {
    const r = await this.device.controlTransferOut({ requestType: 'vendor', recipient: 'device', request: MCS_WRREQ, value, index: reg })
    if (r.status !== 'ok') throw new UsbDeviceError(`MCS7780: writing register ${reg} answered ${r.status}`)
  }

  async getReg (reg: number): Promise<number> {
    const r = await this.device.controlTransferIn({ requestType: 'vendor', recipient: 'device', request: MCS_RDREQ, value: 0, index: reg }, 2)
    const b = bytesOf(r)
    if (r.status !== 'ok' || b.length !== 2) throw new UsbDeviceError(`MCS7780: reading register ${reg} answered ${r.status} with ${b.length} bytes`)
    return b[0] | b[1] << 8
  }

  /** Linux's mcs_setup_transceiver for the default Vishay transceiver: 9600, SIR pulses 1.6 us, RXFAST. */
  private async setupTransceiver (): Promise<void> {
    let mode = await this.getReg(MCS_MODE_REG)
    await this.setReg(MCS_MODE_REG, mode | MCS_DRIVER)
    await this.setReg(MCS_MINRXPW_REG, 0)
    mode = await this.getReg(MCS_MODE_REG)
    mode = modeForSpeed(mode & ~(MCS_FIR | MCS_BBTG | MCS_ASK | MCS_PLLPWDN), 9600) | MCS_SIR16US | MCS_DTD | MCS_SIPEN
    await this.setReg(MCS_MODE_REG, mode)
    await this.vishay()
    const xcvr = await this.getReg(MCS_XCVR_REG)
    await this.setReg(MCS_XCVR_REG, xcvr | MCS_RXFAST)
    await this.setReg(MCS_MODE_REG, (await this.getReg(MCS_MODE_REG)) & ~MCS_RESET)
    this.speed = 9600
  }

  /** The Vishay TFD set-up sequence (XCVR: MODE0|CONF, CONF, 0). */
  private async vishay (): Promise<void> {
    await this.setReg(MCS_XCVR_REG, MCS_MODE0 | MCS_XCVR_CONF)
    await this.setReg(MCS_XCVR_REG, MCS_XCVR_CONF)
    await this.setReg(MCS_XCVR_REG, 0)
  }

  async sendFrame (frame: Uint8Array, params: SendParams): Promise<void> {
    const r = await this.device.transferOut(this.epOut, encodeMcsTransfer(frame, this.speed, params.xbofs))
    if (r.status !== 'ok') throw new UsbDeviceError(`MCS7780: bulk OUT answered ${r.status}`)
  }

  async setSpeed (bps: number): Promise<void> {
    let idle = false
    for (let i = 0; i < 100 && !idle; i++) {
      idle = ((await this.getReg(MCS_RESV_REG)) & MCS_IRINTX) === 0
      if (!idle) await sleep(this.ctx.clock, 1)
    }
    if (!idle) throw new UsbDeviceError('MCS7780: the transmitter stayed busy; speed not changed')
    const from = speedClass(this.speed)
    const to = speedClass(bps)
    if (from !== to) await this.setReg(MCS_MINRXPW_REG, to === 'sir' ? 0 : 5)
    await this.setReg(MCS_MODE_REG, modeForSpeed(await this.getReg(MCS_MODE_REG), bps))
    if (from !== to) await this.vishay()
    await this.setReg(MCS_MODE_REG, (await this.getReg(MCS_MODE_REG)) & ~MCS_RESET)
    this.speed = bps
    this.sir.reset()
  }

  async receive (): Promise<RxItem[]> {
    const r = await this.device.transferIn(this.epIn, RX_LENGTH)
    if (r.status !== 'ok') throw new UsbDeviceError(`MCS7780: bulk IN answered ${r.status}`)
    return decodeMcsReceive(bytesOf(r), this.speed, this.sir)
  }

  async close (): Promise<void> {
    if (this.device.opened) await this.device.close()
  }
}

/** One bulk-IN transfer at `bps`: SIR bodies go through the unwrapper between a BOF and an EOF (as Linux does), MIR/FIR carry frame + FCS. */
export function decodeMcsReceive (t: Uint8Array, bps: number, sir: SirUnwrapper): RxItem[] {
  if (t.length === 0) return []
  if (bps <= 115200) {
    const framed = new Uint8Array(t.length + 2)
    framed[0] = BOF
    framed.set(t, 1)
    framed[framed.length - 1] = EOF
    return sir.push(framed).map(ev => ev.type === 'frame' ? { type: 'frame', frame: ev.frame } : { type: 'error', reason: ev.reason })
  }
  const fcsLen = bps <= 1152000 ? 2 : 4
  if (t.length < 2 + fcsLen) return [{ type: 'error', reason: 'runt' }]
  const good = fcsLen === 2 ? checkFcs16(t) : checkFcs32(t)
  return [good ? { type: 'frame', frame: t.slice(0, t.length - fcsLen) } : { type: 'error', reason: 'fcs' }]
}
