/** Raw sockets against a local server: send exactly the bytes a hostile client would, see what comes back. */
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawOutcome {
  /** The first line the server answered with ('' when it closed without a word). */
  statusLine: string;
  /** True when the server closed the connection before the deadline. */
  closed: boolean;
  data: Buffer;
}

/**
 * Connects to 127.0.0.1:port, writes each chunk (waiting `gapMs` between them), and collects the
 * answer until the server closes or `timeoutMs` passes.
 */
export function rawRequest(port: number, chunks: (string | Buffer)[], options: { gapMs?: number; timeoutMs?: number } = {}): Promise<RawOutcome> {
  const { gapMs = 0, timeoutMs = 3_000 } = options;
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const received: Buffer[] = [];
    let settled = false;
    const finish = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const data = Buffer.concat(received);
      resolve({ statusLine: data.toString('latin1').split('\r\n')[0], closed, data });
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('data', (d) => received.push(d));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    socket.on('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    });
  });
}

/** One WebSocket frame with every field under the caller's control (RFC 6455 §5.2). */
export function wsFrame(options: {
  opcode: number;
  payload?: Buffer;
  fin?: boolean;
  rsv?: number;
  mask?: boolean;
  /** Declared length, when it should lie about the payload. */
  declaredLength?: number | bigint;
}): Buffer {
  const payload = options.payload ?? Buffer.alloc(0);
  const fin = options.fin ?? true;
  const mask = options.mask ?? true;
  const len = options.declaredLength ?? payload.length;
  const head: number[] = [(fin ? 0x80 : 0) | ((options.rsv ?? 0) << 4) | (options.opcode & 0x0f)];
  let ext = Buffer.alloc(0);
  const n = BigInt(len);
  if (n < 126n) head.push((mask ? 0x80 : 0) | Number(n));
  else if (n < 65536n) {
    head.push((mask ? 0x80 : 0) | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(Number(n));
  } else {
    head.push((mask ? 0x80 : 0) | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(n);
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, payload]);
  const key = randomBytes(4);
  const masked = Buffer.from(payload.map((b, i) => b ^ key[i % 4]));
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

/** The opening handshake of an authenticated API socket. */
export function wsHandshake(port: number, token: string): { request: string; accept: string } {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
  const request =
    `GET /api?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
  return { request, accept };
}

/** Close code of the first close frame the server sent after its 101 answer, or null. */
export function serverCloseCode(data: Buffer): number | null {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return null;
  let i = end + 4;
  while (i + 2 <= data.length) {
    const opcode = data[i] & 0x0f;
    let len = data[i + 1] & 0x7f;
    let off = i + 2;
    if (len === 126) {
      len = data.readUInt16BE(off);
      off += 2;
    } else if (len === 127) {
      len = Number(data.readBigUInt64BE(off));
      off += 8;
    }
    if (opcode === 0x8) return len >= 2 ? data.readUInt16BE(off) : 1005;
    i = off + len;
  }
  return null;
}
