/*! Device models by name, as `irda usb-redir --model` and tests take them. */
import type { Clock, Port } from '@irdakit/core'
import { BridgeModel } from './bridge-model.js'
import { KingsunModel } from './kingsun-model.js'
import { Mcs7780Model } from './mcs7780-model.js'
import type { UsbDeviceModel } from './model-device.js'
import { Stir4200Model } from './stir4200-model.js'

export const MODEL_NAMES = ['irda-class', 'stir4210', 'mcs7780', 'stir4200', 'kingsun', 'ksdazzle', 'ks959'] as const
export type ModelName = typeof MODEL_NAMES[number]

/** A model of `name` whose IR side is `station`. `stir4210` needs the patch image it expects. */
export function createModel (name: ModelName, clock: Clock, station: Port | undefined, opts: { stir421xImage?: Uint8Array } = {}): UsbDeviceModel {
  switch (name) {
    case 'irda-class': return new BridgeModel(clock, station)
    case 'stir4210': return new BridgeModel(clock, station, { stir421x: { image: opts.stir421xImage ?? new Uint8Array(0) } })
    case 'mcs7780': return new Mcs7780Model(clock, station)
    case 'stir4200': return new Stir4200Model(clock, station)
    case 'kingsun': case 'ksdazzle': case 'ks959': return new KingsunModel(clock, station, name)
  }
}
