/*! @irdakit/ircomm: IrCOMM 1.0, serial and parallel ports over infrared. */
export * from './params.js'
export * from './frame.js'
export * from './session.js'
export * from './port.js'
export * from './connect.js'
export * from './devices/at-phone.js'
export * from './devices/emulate.js'
