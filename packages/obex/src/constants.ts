/*!
 * IrOBEX numbers: opcodes, response codes, header identifiers, sizes and well-known targets.
 * Values as OpenOBEX's obex_const.h and IrOBEX 1.2 give them (see docs/obex.md for sources).
 */

/** Request opcodes without the final bit (bit 7). Connect, Disconnect, SetPath and Abort are always final. */
export const Opcode = {
  connect: 0x00,
  disconnect: 0x01,
  put: 0x02,
  get: 0x03,
  setPath: 0x05,
  abort: 0x7F,
} as const
export type OpcodeName = keyof typeof Opcode

/** Bit 7 of an opcode (request) or response code: the last packet of this request/response. */
export const FINAL_BIT = 0x80

/** Response codes as sent, final bit included (a response is always final except Continue's own bit use). */
export const ResponseCode = {
  continue: 0x90,
  switchProtocols: 0x91,
  success: 0xA0,
  created: 0xA1,
  accepted: 0xA2,
  nonAuthoritative: 0xA3,
  noContent: 0xA4,
  resetContent: 0xA5,
  partialContent: 0xA6,
  multipleChoices: 0xB0,
  movedPermanently: 0xB1,
  movedTemporarily: 0xB2,
  seeOther: 0xB3,
  notModified: 0xB4,
  useProxy: 0xB5,
  badRequest: 0xC0,
  unauthorized: 0xC1,
  paymentRequired: 0xC2,
  forbidden: 0xC3,
  notFound: 0xC4,
  methodNotAllowed: 0xC5,
  notAcceptable: 0xC6,
  proxyAuthRequired: 0xC7,
  requestTimeout: 0xC8,
  conflict: 0xC9,
  gone: 0xCA,
  lengthRequired: 0xCB,
  preconditionFailed: 0xCC,
  entityTooLarge: 0xCD,
  urlTooLarge: 0xCE,
  unsupportedMediaType: 0xCF,
  internalError: 0xD0,
  notImplemented: 0xD1,
  badGateway: 0xD2,
  unavailable: 0xD3,
  gatewayTimeout: 0xD4,
  versionNotSupported: 0xD5,
  databaseFull: 0xE0,
  databaseLocked: 0xE1,
} as const
export type ResponseName = keyof typeof ResponseCode

const RESPONSE_TEXT: Record<number, string> = {
  0x90: 'Continue', 0x91: 'Switching Protocols', 0xA0: 'Success', 0xA1: 'Created', 0xA2: 'Accepted', 0xA3: 'Non-Authoritative Information',
  0xA4: 'No Content', 0xA5: 'Reset Content', 0xA6: 'Partial Content', 0xB0: 'Multiple Choices', 0xB1: 'Moved Permanently',
  0xB2: 'Moved Temporarily', 0xB3: 'See Other', 0xB4: 'Not Modified', 0xB5: 'Use Proxy', 0xC0: 'Bad Request', 0xC1: 'Unauthorized',
  0xC2: 'Payment Required', 0xC3: 'Forbidden', 0xC4: 'Not Found', 0xC5: 'Method Not Allowed', 0xC6: 'Not Acceptable',
  0xC7: 'Proxy Authentication Required', 0xC8: 'Request Timeout', 0xC9: 'Conflict', 0xCA: 'Gone', 0xCB: 'Length Required',
  0xCC: 'Precondition Failed', 0xCD: 'Request Entity Too Large', 0xCE: 'Request URL Too Large', 0xCF: 'Unsupported Media Type',
  0xD0: 'Internal Server Error', 0xD1: 'Not Implemented', 0xD2: 'Bad Gateway', 0xD3: 'Service Unavailable', 0xD4: 'Gateway Timeout',
  0xD5: 'HTTP Version Not Supported', 0xE0: 'Database Full', 0xE1: 'Database Locked',
}

/** "Not Found (0xC4)". */
export function responseText (code: number): string {
  return `${RESPONSE_TEXT[code | FINAL_BIT] ?? 'Unknown response'} (0x${code.toString(16).toUpperCase().padStart(2, '0')})`
}

/** 0xA0..0xA6: the request succeeded. */
export const isSuccess = (code: number): boolean => (code & 0xF0) === 0xA0 && (code | FINAL_BIT) === code

/** Header identifiers. The top two bits give the encoding (see {@link headerEncoding}). */
export const HeaderId = {
  count: 0xC0,
  name: 0x01,
  type: 0x42,
  length: 0xC3,
  time: 0x44,
  time4: 0xC4,
  description: 0x05,
  target: 0x46,
  http: 0x47,
  body: 0x48,
  endOfBody: 0x49,
  who: 0x4A,
  connectionId: 0xCB,
  appParameters: 0x4C,
  authChallenge: 0x4D,
  authResponse: 0x4E,
  creatorId: 0xCF,
  wanUuid: 0x50,
  objectClass: 0x51,
} as const

export type HeaderEncoding = 'unicode' | 'bytes' | 'byte' | 'u32'
const ENCODINGS: readonly HeaderEncoding[] = ['unicode', 'bytes', 'byte', 'u32']

/** HI bits 7-6: 00 Unicode text, 01 byte sequence (both with a u16 length), 10 one byte, 11 four bytes. */
export const headerEncoding = (id: number): HeaderEncoding => ENCODINGS[(id >> 6) & 3]

/** IrOBEX version 1.0 in the Connect packet (major in the high nibble). */
export const OBEX_VERSION = 0x10

/** The smallest maximum packet a station may announce, and the largest the u16 length allows. */
export const MIN_MAX_PACKET = 255
export const MAX_MAX_PACKET = 65535
/** "7 IrLAP frames": the packet size OpenOBEX suggests for IrDA, our default. */
export const IRDA_MAX_PACKET = 7 * 2039

/** IAS class and attribute of an OBEX server; the legacy class some phones need. */
export const OBEX_IAS_CLASS = 'OBEX'
export const OBEX_IRXFER_IAS_CLASS = 'OBEX:IrXfer'
export const TINYTP_LSAPSEL = 'IrDA:TinyTP:LsapSel'
/** Service hint bytes of an OBEX device: extension bit, then IrOBEX in byte 2 (OpenOBEX irobex.c). */
export const OBEX_HINTS = [0x80, 0x20] as const

/** Folder Browsing service UUID (Target header), F9EC7BC4-953C-11D2-984E-525400DC9E09. */
export const FOLDER_BROWSING_UUID = Uint8Array.from([0xF9, 0xEC, 0x7B, 0xC4, 0x95, 0x3C, 0x11, 0xD2, 0x98, 0x4E, 0x52, 0x54, 0x00, 0xDC, 0x9E, 0x09])
/** IrMC synchronisation target, the ASCII text "IRMC-SYNC". */
export const IRMC_SYNC_TARGET = new TextEncoder().encode('IRMC-SYNC')

/** Type of a folder listing object. */
export const FOLDER_LISTING_TYPE = 'x-obex/folder-listing'

/** SetPath flags: bit 0 backs up a level first, bit 1 forbids creating the folder. */
export const SetPathFlags = { parent: 0x01, dontCreate: 0x02 } as const
