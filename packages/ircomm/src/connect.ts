/*!
 * Opening IrCOMM connections: the client finds the service in the peer's IAS (class
 * `IrDA:IrCOMM`: `Parameters` says which service types it offers, `IrDA:TinyTP:LsapSel` where
 * the cooked ones live, `IrDA:IrLMP:LsapSel` where 3-wire raw lives; or the legacy class `IrLPT`
 * with only `IrDA:IrLMP:LsapSel`), picks the best type both sides know, and connects; the
 * server registers those IAS entries and takes connections.
 */
import { EventEmitter } from 'node:events'
import { IrdaError } from '@irdakit/core'
import type { DeviceInfo, IrdaStack } from '@irdakit/stack'
import { decodeParams, encodeParams, PORT_TYPE, SERVICE, type DceLines, type DteLines, type IrcommParam, type ServiceName } from './params.js'
import { highestService, IrcommSession, serviceBit, type LineSettings } from './session.js'
import { IrcommPort } from './port.js'

export const IRCOMM_CLASS = 'IrDA:IrCOMM'
export const IRLPT_CLASS = 'IrLPT'
export const PARAMETERS_ATTRIBUTE = 'Parameters'
export const TTP_LSAP_ATTRIBUTE = 'IrDA:TinyTP:LsapSel'
export const LMP_LSAP_ATTRIBUTE = 'IrDA:IrLMP:LsapSel'
/** The spelling Wireshark also accepts for the raw selector. */
const LMP_LSAP_ATTRIBUTE_ALT = 'IrDA:IrLMP:LSAPSel'
/** Discovery hint bytes of an IrCOMM device: byte 0 extension bit, byte 1 IrCOMM (IrLMP 1.1 section 3.4.1). */
export const IRCOMM_HINTS = [0x80, 0x04]
/** The service types we can run (Centronics needs a printer port model we do not have). */
export const SUPPORTED_SERVICES = SERVICE.RAW | SERVICE.THREE_WIRE | SERVICE.NINE_WIRE

/** No device offers IrCOMM, or the one named does not offer what was asked. */
export class IrcommConnectError extends IrdaError {
  static override name = 'IrcommConnectError'
}

export interface IrcommConnectOptions {
  /** The device to connect to; default: the first device found that offers IrCOMM. */
  deviceAddress?: number
  /** A service type, or 'auto' (default): the best both sides support. */
  service?: ServiceName | 'auto'
  settings?: Partial<LineSettings>
  dte?: DteLines
  /** TinyTP receive window (our initial credit). */
  rxWindow?: number
}

/** What a device's IAS says about its IrCOMM service. */
export interface IrcommOffer {
  /** Service type bit mask from `Parameters` (0x01 raw for a plain IrLPT entry). */
  services: number
  params: IrcommParam[]
  ttpLsap?: number
  lmpLsap?: number
  className: string
}

const hasIrcommHint = (d: DeviceInfo): boolean => d.hints.length >= 2 && (d.hints[0] & 0x80) !== 0 && (d.hints[1] & 0x04) !== 0

async function intAttribute (stack: IrdaStack, device: number, className: string, names: string[]): Promise<number | undefined> {
  for (const name of names) {
    const r = await stack.iasQuery(device, className, name)
    const v = r.returnCode === 0 ? r.entries[0]?.value : undefined
    if (v?.type === 'integer') return v.value
  }
  return undefined
}

/** Reads a device's IrCOMM entries from its IAS; undefined when it has neither IrDA:IrCOMM nor IrLPT. */
export async function queryIrcomm (stack: IrdaStack, device: number): Promise<IrcommOffer | undefined> {
  const p = await stack.iasQuery(device, IRCOMM_CLASS, PARAMETERS_ATTRIBUTE)
  if (p.returnCode === 0 || p.returnCode === 2) {
    const v = p.entries[0]?.value
    const params = v?.type === 'octets' ? decodeParams(v.value).params : []
    const st = params.find(x => x.type === 'service-type')
    const ttpLsap = await intAttribute(stack, device, IRCOMM_CLASS, [TTP_LSAP_ATTRIBUTE])
    const lmpLsap = await intAttribute(stack, device, IRCOMM_CLASS, [LMP_LSAP_ATTRIBUTE, LMP_LSAP_ATTRIBUTE_ALT])
    // No Parameters: whatever the selectors say (cooked on a TinyTP selector, raw on an IrLMP one).
    const services = st?.type === 'service-type' ? st.value : (ttpLsap !== undefined ? SERVICE.THREE_WIRE | SERVICE.NINE_WIRE : 0) | (lmpLsap !== undefined ? SERVICE.RAW : 0)
    return { services, params, className: IRCOMM_CLASS, ...(ttpLsap !== undefined ? { ttpLsap } : {}), ...(lmpLsap !== undefined ? { lmpLsap } : {}) }
  }
  const lpt = await intAttribute(stack, device, IRLPT_CLASS, [LMP_LSAP_ATTRIBUTE, LMP_LSAP_ATTRIBUTE_ALT])
  if (lpt !== undefined) return { services: SERVICE.RAW, params: [], lmpLsap: lpt, className: IRLPT_CLASS }
  return undefined
}

/** Finds the device to use: the named one, or the first (IrCOMM hint first) whose IAS offers IrCOMM. */
async function findDevice (stack: IrdaStack, named: number | undefined): Promise<{ device: number, offer: IrcommOffer }> {
  if (named !== undefined) {
    const offer = await queryIrcomm(stack, named)
    if (offer === undefined) throw new IrcommConnectError(`device 0x${hex32(named)} offers no IrCOMM service (no IrDA:IrCOMM or IrLPT in its IAS)`)
    return { device: named, offer }
  }
  const devices = await stack.discover()
  if (devices.length === 0) throw new IrcommConnectError('no IrDA device answered discovery')
  const ordered = [...devices.filter(hasIrcommHint), ...devices.filter(d => !hasIrcommHint(d))]
  for (const d of ordered) {
    const offer = await queryIrcomm(stack, d.deviceAddress).catch(() => undefined)
    if (offer !== undefined) return { device: d.deviceAddress, offer }
  }
  throw new IrcommConnectError(`none of the ${devices.length} device${devices.length === 1 ? '' : 's'} found offers IrCOMM (${devices.map(d => d.nickname).join(', ')})`)
}

const hex32 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0')

/** Opens an IrCOMM connection as a client (a DTE). */
export async function connectIrcomm (stack: IrdaStack, opts: IrcommConnectOptions = {}): Promise<IrcommPort> {
  const { device, offer } = await findDevice(stack, opts.deviceAddress)
  const usable = offer.services & SUPPORTED_SERVICES & ((offer.ttpLsap !== undefined ? SERVICE.THREE_WIRE | SERVICE.NINE_WIRE : 0) | (offer.lmpLsap !== undefined ? SERVICE.RAW : 0))
  const want = opts.service ?? 'auto'
  const service = want === 'auto' ? highestService(usable) : (usable & serviceBit(want)) !== 0 ? want : undefined
  if (service === undefined) {
    throw new IrcommConnectError(`device 0x${hex32(device)} offers IrCOMM service types 0x${offer.services.toString(16)}, not ${want === 'auto' ? 'one we run' : want}`)
  }
  const session = new IrcommSession({ service, lineRole: 'dte', ...(opts.settings !== undefined ? { settings: opts.settings } : {}), ...(opts.dte !== undefined ? { dte: opts.dte } : {}) })
  const sock = service === '3-wire-raw'
    ? await stack.lmpConnect({ deviceAddress: device, remoteLsap: offer.lmpLsap as number })
    : await stack.ttpConnect({ deviceAddress: device, remoteLsap: offer.ttpLsap as number, maxSduSize: 0, ...(opts.rxWindow !== undefined ? { rxWindow: opts.rxWindow } : {}) })
  return new IrcommPort(stack, sock, session)
}

export interface IrcommListenOptions {
  /** Service types offered (bit mask of SERVICE). Default 3-wire and 9-wire (0x06), as Linux's ircomm0. */
  services?: number
  /** Also register the legacy `IrLPT` class for the raw selector. */
  irlpt?: boolean
  portType?: number
  portName?: string
  /** Our role on the lines; a device is a DCE (default). */
  lineRole?: 'dte' | 'dce'
  dce?: DceLines
  settings?: Partial<LineSettings>
  /** TinyTP receive window (our initial credit; Linux 16, some devices 5). */
  rxWindow?: number
}

export interface IrcommServerEvents { connection: [port: IrcommPort] }

/** An IrCOMM service registered in IAS, taking connections. */
export class IrcommServer extends EventEmitter<IrcommServerEvents> {
  readonly ttpLsap: number | undefined
  readonly lmpLsap: number | undefined
  private readonly closers: Array<() => void> = []

  /** @internal */
  constructor (stack: IrdaStack, opts: IrcommListenOptions) {
    super()
    const services = opts.services ?? (SERVICE.THREE_WIRE | SERVICE.NINE_WIRE)
    const cooked = services & (SERVICE.THREE_WIRE | SERVICE.NINE_WIRE)
    const role = opts.lineRole ?? 'dce'
    const sessionOpts = { lineRole: role, ...(opts.dce !== undefined ? { dce: opts.dce } : {}), ...(opts.settings !== undefined ? { settings: opts.settings } : {}) }
    const params: IrcommParam[] = [{ type: 'service-type', value: services }, { type: 'port-type', value: opts.portType ?? PORT_TYPE.SERIAL }]
    if (opts.portName !== undefined) params.push({ type: 'port-name', name: opts.portName })
    const obj = stack.ias.addObject(IRCOMM_CLASS)
    stack.ias.setAttribute(obj, PARAMETERS_ATTRIBUTE, { type: 'octets', value: encodeParams(params) })
    this.closers.push(() => { stack.ias.removeObject(obj) })
    if (cooked !== 0) {
      const srv = stack.ttpListen({ maxSduSize: 0, ...(opts.rxWindow !== undefined ? { rxWindow: opts.rxWindow } : {}) })
      this.ttpLsap = srv.lsap
      stack.ias.setAttribute(obj, TTP_LSAP_ATTRIBUTE, { type: 'integer', value: srv.lsap })
      srv.on('connection', sock => {
        const service = highestService(cooked) as ServiceName
        this.emit('connection', new IrcommPort(stack, sock, new IrcommSession({ service, accept: cooked, ...sessionOpts })))
      })
      this.closers.push(() => { srv.close() })
    }
    if ((services & SERVICE.RAW) !== 0) {
      const srv = stack.lmpListen()
      this.lmpLsap = srv.lsap
      stack.ias.setAttribute(obj, LMP_LSAP_ATTRIBUTE, { type: 'integer', value: srv.lsap })
      if (opts.irlpt === true) {
        const lpt = stack.ias.addObject(IRLPT_CLASS)
        stack.ias.setAttribute(lpt, LMP_LSAP_ATTRIBUTE, { type: 'integer', value: srv.lsap })
        this.closers.push(() => { stack.ias.removeObject(lpt) })
      }
      srv.on('connection', sock => {
        this.emit('connection', new IrcommPort(stack, sock, new IrcommSession({ service: '3-wire-raw', ...sessionOpts })))
      })
      this.closers.push(() => { srv.close() })
    }
  }

  /** Stops taking connections and removes the IAS entries (connections already open stay). */
  close (): void { for (const c of this.closers.splice(0)) c() }
}

/** Offers IrCOMM on a stack. The stack's hints should include IrCOMM ({@link IRCOMM_HINTS}) for clients that look for it. */
export function listenIrcomm (stack: IrdaStack, opts: IrcommListenOptions = {}, onConnection?: (port: IrcommPort) => void): IrcommServer {
  const server = new IrcommServer(stack, opts)
  if (onConnection !== undefined) server.on('connection', onConnection)
  return server
}
