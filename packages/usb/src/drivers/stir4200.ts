/*!
 * Driver for the SigmaTel STIr4200 (066f:4200), after Linux's stir4200: bulk OUT 1 / IN 2 (fixed,
 * as Linux has them), host framing for SIR and FIR (no MIR), the FIFO polled through FIFOCTL
 * before each frame and before a speed change, and the register sequence the guest was seen to
 * use (SRESET, DPLL 0x15, PDCLK, MODE, CTRL1 SDMODE then 0; CTRL2 = sensitivity 1 at open).
 * Linux cancels its bulk IN before each transmit; WebUSB cannot cancel one transfer, so the IN
 * stays pending here (the chip's FIFO is half duplex and delivers nothing while sending).
 */
import { SirUnwrapper } from '@irdakit/phy'
import { bytesOf, type UsbDevice } from '../usb-device.js'
import { sleep, type DongleQos, type DriverContext, type RxItem, type SendParams, type UsbIrdaDriver } from '../driver.js'
import { UsbDeviceError } from '../errors.js'
import {
  CTRL1_SDMODE, CTRL1_SRESET, encodeStirTransfer, FIFOCTL_DIR, FIFOCTL_EMPTY, modeFor, PDCLK, REG_CTRL1, REG_CTRL2, REG_DPLL, REG_FIFOCTL, REG_MODE, REG_PDCLK,
  REQ_READ_REG, REQ_WRITE_SINGLE, StirFirUnwrapper, STIR_SPEEDS
} from './stir4200-codec.js'

const EP_OUT = 1
const EP_IN = 2
const RX_LENGTH = 4096
/** FIFO polls before giving up (Linux: HZ/10 of polling). */
const FIFO_POLLS = 100

export class Stir4200Driver implements UsbIrdaDriver {
  readonly kind = 'stir4200' as const
  readonly speeds = STIR_SPEEDS
  readonly timesTurnaround = false
  readonly qos: DongleQos = { minTurnaroundMs: 1 }
  private readonly device: UsbDevice
  private speed = 9600
  private readonly sir = new SirUnwrapper()
  private readonly fir = new StirFirUnwrapper()

  constructor (private readonly ctx: DriverContext) { this.device = ctx.device }

  async open (): Promise<void> {
    const d = this.device
    if (!d.opened) await d.open()
    if (d.configuration == null) await d.selectConfiguration(1)
    await d.claimInterface(d.configuration?.interfaces[0]?.interfaceNumber ?? 0)
    await this.program(9600)
    await this.write(REG_CTRL2, 1 << 5)
  }

  private async write (reg: number, value: number): Promise<void> {
    const r = await this.device.controlTransferOut({ requestType: 'vendor', recipient: 'device', request: REQ_WRITE_SINGLE, value, index: reg })
    if (r.status !== 'ok') throw new UsbDeviceError(`STIr4200: writing register ${reg} answered ${r.status}`)
  }

  /** Waits until the FIFO is receiving or empty (Linux fifo_txwait(stir, 0)). */
  private async fifoIdle (): Promise<void> {
    for (let i = 0; i < FIFO_POLLS; i++) {
      const r = await this.device.controlTransferIn({ requestType: 'vendor', recipient: 'device', request: REQ_READ_REG, value: 0, index: REG_FIFOCTL }, 3)
      const b = bytesOf(r)
      if (r.status !== 'ok' || b.length !== 3) throw new UsbDeviceError(`STIr4200: FIFO status read answered ${r.status} with ${b.length} bytes`)
      if ((b[0] & FIFOCTL_DIR) === 0 || (b[0] & FIFOCTL_EMPTY) !== 0) return
      await sleep(this.ctx.clock, 1)
    }
    throw new UsbDeviceError('STIr4200: the transmit FIFO did not drain')
  }

  private async program (bps: number): Promise<void> {
    await this.write(REG_CTRL1, CTRL1_SRESET)
    await this.write(REG_DPLL, 0x15)
    await this.write(REG_PDCLK, PDCLK[bps])
    await this.write(REG_MODE, modeFor(bps))
    await this.write(REG_CTRL1, CTRL1_SDMODE)
    await this.write(REG_CTRL1, 0)
    this.speed = bps
    this.sir.reset()
    this.fir.reset()
  }

  async sendFrame (frame: Uint8Array, p: SendParams): Promise<void> {
    await this.fifoIdle()
    const r = await this.device.transferOut(EP_OUT, encodeStirTransfer(frame, this.speed, p.xbofs))
    if (r.status !== 'ok') throw new UsbDeviceError(`STIr4200: bulk OUT answered ${r.status}`)
  }

  async setSpeed (bps: number): Promise<void> {
    await this.fifoIdle()
    await this.program(bps)
  }

  async receive (): Promise<RxItem[]> {
    const r = await this.device.transferIn(EP_IN, RX_LENGTH)
    if (r.status !== 'ok') throw new UsbDeviceError(`STIr4200: bulk IN answered ${r.status}`)
    const data = bytesOf(r)
    const evs = this.speed === 4000000 ? this.fir.push(data) : this.sir.push(data)
    return evs.map(ev => ev.type === 'frame' ? { type: 'frame', frame: ev.frame } : { type: 'error', reason: ev.reason })
  }

  async close (): Promise<void> {
    if (this.device.opened) await this.device.close()
  }
}
