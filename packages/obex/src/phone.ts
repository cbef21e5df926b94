/*!
 * An emulated phone or PDA for tests and demos: an OBEX inbox and a small folder tree (a
 * phonebook, a picture, Palm memos), served on any stack as class `OBEX` and `OBEX:IrXfer`, with
 * Folder Browsing. Put its stack in an emulated room with hints {@link OBEX_HINTS}.
 */
import type { IrdaStack } from '@irdakit/stack'
import { FOLDER_BROWSING_UUID, IRMC_SYNC_TARGET } from './constants.js'
import { MemoryStore, type MemoryStoreOptions } from './memory-store.js'
import { listenObex, type ObexServer, type ObexServerOptions } from './obex-server.js'

/** A deterministic "picture": `n` bytes of xorshift noise behind a JPEG start marker. */
function picture (n: number): Uint8Array {
  const b = new Uint8Array(n)
  b.set([0xFF, 0xD8, 0xFF, 0xE0])
  let x = 0x2545F491
  for (let i = 4; i < n; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; b[i] = x & 0xFF }
  return b
}

/**
 * What an IrMC client reads first (multisync's irmc plugin tests a connection with it; BlueZ's
 * obexd serves one): who made the device and which object formats it sends and takes.
 */
const DEVINFO = 'MANU:irdakit\r\nMOD:emulated phone\r\nSN:0001\r\nIRMC-VERSION:1.1\r\nPB-TYPE-TX:VCARD2.1\r\nPB-TYPE-RX:VCARD2.1\r\n'

/**
 * How much the emulated phone keeps by default (its files, folders and Puts in progress): a
 * phone of the time had a few megabytes for received objects, and a peer must not be able to
 * grow this process without end by pushing. Beyond it the phone answers Database Full.
 */
export const PHONE_CAPACITY = 16 * 1024 * 1024

/** The emulated device's storage: telecom/ (phonebook, calendar, IrMC devinfo.txt), Pictures/, Memos/ (Palm style) and an empty Inbox/; `capacity` {@link PHONE_CAPACITY} unless given. */
export function phoneStore (opts: MemoryStoreOptions = {}): MemoryStore {
  return new MemoryStore({ capacity: PHONE_CAPACITY, ...opts })
    .add('telecom/pb.vcf', 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nTEL;CELL:+15550100\r\nEND:VCARD\r\n', 'text/x-vcard')
    .add('telecom/cal.vcs', 'BEGIN:VCALENDAR\r\nVERSION:1.0\r\nBEGIN:VEVENT\r\nSUMMARY:Dive trip\r\nDTSTART:20010615T080000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', 'text/x-vcalendar')
    .add('telecom/devinfo.txt', DEVINFO, 'text/plain')
    .add('Pictures/reef.jpg', picture(24_000), 'image/jpeg')
    .add('Memos/shopping.txt', 'fins\r\nmask\r\nsnorkel\r\n', 'text/plain')
    .mkdir('Inbox')
}

export interface EmulatedPhone { store: MemoryStore, server: ObexServer }

/** Serves a phone store on `stack` (Folder Browsing and IrMC targets accepted). */
export function emulatedPhone (stack: IrdaStack, opts: Partial<ObexServerOptions> & { store?: MemoryStore } = {}): EmulatedPhone {
  const store = opts.store ?? phoneStore()
  const server = listenObex(stack, { targets: [FOLDER_BROWSING_UUID, IRMC_SYNC_TARGET], ...opts, store })
  return { store, server }
}
