export * from './value.js'
export * from './iap.js'
export * from './database.js'
