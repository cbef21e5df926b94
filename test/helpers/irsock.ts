/*! Two IrSock stacks in a virtual room, started up: the fixture of the IrSock tests. */
import { expect } from 'chai'
import { Room } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { createIrSock, type IrSock } from '@irdakit/irsock'

export interface Pair { room: Room, a: IrdaStack, b: IrdaStack, A: IrSock, B: IrSock }

/** A client stack `a` and a server stack `b` (9600 and 115200 bit/s), each with WSAStartup done. */
export function pair (seed: number): Pair {
  const room = new Room({ time: 'virtual', seed })
  const a = IrdaStack.create({ port: room.port('A', { supportedSpeeds: [9600, 115200] }), nickname: 'client', seed: seed * 10 + 1 })
  const b = IrdaStack.create({ port: room.port('B', { supportedSpeeds: [9600, 115200] }), nickname: 'server', seed: seed * 10 + 2 })
  const A = createIrSock(a)
  const B = createIrSock(b)
  expect(A.WSAStartup(0x0202)).to.equal(0)
  expect(B.WSAStartup(0x0202)).to.equal(0)
  return { room, a, b, A, B }
}
