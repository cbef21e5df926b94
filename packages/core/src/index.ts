/*! @irdakit/core: Clock, Port, seeded randomness and error base classes shared by every irdakit package. */
export * from './clock.js'
export * from './port.js'
export * from './random.js'
export * from './errors.js'
