import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A minimal WebSocket client (RFC 6455) for tests: Node 20 has no global WebSocket without a flag, and
 * the project declares no WebSocket package. Enough to listen to a local server: text and binary
 * messages (fragmented or not), ping answered with pong, close answered with close. No extensions
 * (it offers none), plain ws:// only.
 */
export class WebSocketClient {
  private buffer = Buffer.alloc(0);
  private fragments: Buffer[] = [];
  private closed = false;

  private constructor(
    private readonly socket: Socket,
    private readonly onMessage: (text: string) => void,
    private readonly onClose: () => void,
  ) {}

  static connect(url: string, handlers: { message: (text: string) => void; close?: () => void }): Promise<WebSocketClient> {
    const target = new URL(url);
    if (target.protocol !== 'ws:') throw new Error(`WebSocketClient speaks ws:// only, not ${target.protocol}`);
    const key = randomBytes(16).toString('base64');
    const expected = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    return new Promise((resolve, reject) => {
      const req = request({
        host: target.hostname,
        port: target.port || 80,
        path: `${target.pathname}${target.search}`,
        headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': key, 'Sec-WebSocket-Version': '13' },
      });
      req.on('upgrade', (res, socket, head) => {
        if (res.headers['sec-websocket-accept'] !== expected) {
          socket.destroy();
          reject(new Error('WebSocket handshake: wrong Sec-WebSocket-Accept'));
          return;
        }
        const client = new WebSocketClient(socket, handlers.message, handlers.close ?? (() => undefined));
        socket.on('data', (chunk: Buffer) => client.receive(chunk));
        socket.on('close', () => client.finish());
        socket.on('error', () => client.finish());
        if (head.length) client.receive(head);
        resolve(client);
      });
      req.on('response', (res) => reject(new Error(`WebSocket handshake refused: HTTP ${res.statusCode} from ${url}`)));
      req.on('error', reject);
      req.end();
    });
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      if (this.buffer.length < 2) return;
      const fin = (this.buffer[0] & 0x80) !== 0;
      const opcode = this.buffer[0] & 0x0f;
      const masked = (this.buffer[1] & 0x80) !== 0;
      let length = this.buffer[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (this.buffer.length < 4) return;
        length = this.buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (this.buffer.length < 10) return;
        length = Number(this.buffer.readBigUInt64BE(2));
        offset = 10;
      }
      const maskKey = masked ? this.buffer.subarray(offset, offset + 4) : undefined;
      if (masked) offset += 4;
      if (this.buffer.length < offset + length) return;
      const payload = Buffer.from(this.buffer.subarray(offset, offset + length));
      if (maskKey) for (let i = 0; i < payload.length; i++) payload[i] ^= maskKey[i % 4];
      this.buffer = this.buffer.subarray(offset + length);
      this.frame(fin, opcode, payload);
    }
  }

  private frame(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0: // continuation
      case 0x1: // text
      case 0x2: // binary
        this.fragments.push(payload);
        if (fin) {
          const message = Buffer.concat(this.fragments).toString('utf8');
          this.fragments = [];
          this.onMessage(message);
        }
        return;
      case 0x8: // close
        this.send(0x8, payload.subarray(0, 2));
        this.socket.end();
        this.finish();
        return;
      case 0x9: // ping
        this.send(0xa, payload);
        return;
      default: // pong and reserved opcodes
        return;
    }
  }

  /** A client's frames are masked (RFC 6455 section 5.3). */
  private send(opcode: number, payload: Buffer): void {
    if (this.socket.destroyed || payload.length > 125) return;
    const mask = randomBytes(4);
    const frame = Buffer.alloc(6 + payload.length);
    frame[0] = 0x80 | opcode;
    frame[1] = 0x80 | payload.length;
    mask.copy(frame, 2);
    for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ mask[i % 4];
    this.socket.write(frame);
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  close(): void {
    if (this.closed) return;
    const code = Buffer.alloc(2);
    code.writeUInt16BE(1000, 0);
    this.send(0x8, code);
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 200).unref();
    this.finish();
  }
}
