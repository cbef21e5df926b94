/*! @irdakit/lap: IrLAP 1.1: frame codecs, QoS negotiation and the sans-I/O station state machine. */
export * from './frame.js'
export * from './wire/index.js'
export * from './qos/index.js'
export * from './station/index.js'
export * from './tester/index.js'
