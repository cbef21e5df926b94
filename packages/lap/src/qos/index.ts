/*! IrLAP QoS: parameter list codec, value tables, negotiation and the line-capacity rule. */
export * from './params.js'
export * from './tables.js'
export * from './codec.js'
export * from './capacity.js'
export * from './negotiate.js'
export * from './defaults.js'
