/*!
 * A station in its own process for the served-room tests: joins the room at argv[2] as
 * argv[3], offers a TinyTP echo under IAS class "Echo", prints "ready <device address>", and
 * runs until it is killed.
 */
import { connectRoom } from '@irdakit/emulator'
import { IrdaStack } from '@irdakit/stack'
import { echo } from '../helpers/ttp.js'

const [address, name] = process.argv.slice(2)
const port = await connectRoom(address, { name, supportedSpeeds: [9600, 115200] })
const stack = IrdaStack.create({ port, nickname: name, seed: 7, qos: { linkDisconnectMs: 3000 } })
const server = stack.ttpListen()
stack.ias.set('Echo', 'IrDA:TinyTP:LsapSel', { type: 'integer', value: server.lsap })
server.on('connection', echo)
process.stdout.write(`ready ${stack.deviceAddress}\n`)
