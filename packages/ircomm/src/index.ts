/*! @irdakit/ircomm: IrCOMM 1.0, serial and parallel ports over infrared. */
export * from './params.js'
export * from './frame.js'
