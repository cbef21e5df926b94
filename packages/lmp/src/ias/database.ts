/*!
 * The local IAS database (IrLMP 1.1 section 4.1 "Information Access Service"): objects, each
 * an instance of a class with a 16-bit object id and named attributes. Every device has the
 * mandatory "Device" object with DeviceName and IrLMPSupport.
 */
import { LocalProtocolError } from '@irdakit/core'
import { IasReturn, type GetValueByClassResponse } from './iap.js'
import { Charset, checkIasValue, IAS_LIMITS, userString, type IasValue } from './value.js'

export interface IasObject {
  readonly id: number
  readonly className: string
  readonly attributes: ReadonlyMap<string, IasValue>
}

/** IrLMPSupport: IrLMP version 1, IAS support bits, LM-MUX support bits (IrLMP 1.1 section 4.1.2). */
export const IRLMP_SUPPORT = Uint8Array.of(0x01, 0x00, 0x00)

/** Thrown for database misuse: bad names, values past the IrLMP limits, unknown objects. */
export class IasError extends LocalProtocolError {
  static override name = 'IasError'
}

export class IasDatabase {
  private readonly objects = new Map<number, { id: number, className: string, attributes: Map<string, IasValue> }>()
  private nextId = 0

  /** A database holding the mandatory Device object. */
  constructor (deviceName = 'irdakit', charset: number = Charset.ASCII) {
    const device = this.addObject('Device')
    this.setAttribute(device, 'DeviceName', userString(deviceName, charset))
    this.setAttribute(device, 'IrLMPSupport', { type: 'octets', value: IRLMP_SUPPORT })
  }

  /** Adds an object of `className`; returns its id. */
  addObject (className: string): number {
    checkName(className, IAS_LIMITS.CLASS_NAME, 'class')
    if (this.objects.size >= 0x10000) throw new IasError('IAS database is full (65536 objects)')
    while (this.objects.has(this.nextId)) this.nextId = (this.nextId + 1) & 0xFFFF
    const id = this.nextId
    this.nextId = (this.nextId + 1) & 0xFFFF
    this.objects.set(id, { id, className, attributes: new Map() })
    return id
  }

  /** Sets (adds or replaces) one attribute of an object. */
  setAttribute (objectId: number, name: string, value: IasValue): void {
    const obj = this.objects.get(objectId)
    if (obj === undefined) throw new IasError(`no IAS object with id ${objectId}`)
    checkName(name, IAS_LIMITS.ATTRIBUTE_NAME, 'attribute')
    const problem = checkIasValue(value)
    if (problem !== undefined) throw new IasError(problem)
    obj.attributes.set(name, value)
  }

  /** Sets an attribute on the first object of `className`, creating the object if there is none (IRLMP_IAS_SET semantics). */
  set (className: string, name: string, value: IasValue): number {
    const existing = this.findByClass(className)[0]
    const id = existing?.id ?? this.addObject(className)
    this.setAttribute(id, name, value)
    return id
  }

  deleteAttribute (objectId: number, name: string): boolean {
    return this.objects.get(objectId)?.attributes.delete(name) ?? false
  }

  removeObject (objectId: number): boolean { return this.objects.delete(objectId) }

  get (objectId: number): IasObject | undefined { return this.objects.get(objectId) }

  findByClass (className: string): IasObject[] {
    return [...this.objects.values()].filter(o => o.className === className)
  }

  all (): IasObject[] { return [...this.objects.values()] }

  /** The GetValueByClass operation: every object of the class that has the attribute. */
  getValueByClass (className: string, attributeName: string): GetValueByClassResponse {
    const objs = this.findByClass(className)
    if (objs.length === 0) return { returnCode: IasReturn.NO_SUCH_CLASS, entries: [] }
    const entries = objs.flatMap(o => {
      const value = o.attributes.get(attributeName)
      return value === undefined ? [] : [{ objectId: o.id, value }]
    })
    if (entries.length === 0) return { returnCode: IasReturn.NO_SUCH_ATTRIBUTE, entries: [] }
    return { returnCode: IasReturn.SUCCESS, entries }
  }
}

function checkName (name: string, max: number, what: string): void {
  if (name.length === 0) throw new IasError(`IAS ${what} name is empty`)
  if (name.length > max) throw new IasError(`IAS ${what} name is ${name.length} characters; IrLMP allows ${max}`)
  if (!/^[\x20-\x7E]*$/.test(name)) throw new IasError(`IAS ${what} name must be printable ASCII`)
}
