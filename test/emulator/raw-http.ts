import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (Host included), as a browser or a hostile client would send it. */
export function rawRequest(port: number, method: string, path: string, headers: Record<string, string> = {},
  body?: Buffer | string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers: { Host: `127.0.0.1:${port}`, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(20000, () => req.destroy(new Error('no answer within 20 s')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The Code of a control-plane `ErrorResponse` (or an S3 `Error`). */
export function xmlErrorCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}

/** Bytes written on a raw TCP connection; resolves with everything the server sent until it closed (or deadline). */
export function rawExchange(port: number, data: string | Buffer, deadlineMs = 15000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket: Socket = connect(port, '127.0.0.1', () => socket.write(data));
    const timer = setTimeout(() => { socket.destroy(); resolve({ text: Buffer.concat(chunks).toString('utf8'), closed: false }); }, deadlineMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => { clearTimeout(timer); resolve({ text: Buffer.concat(chunks).toString('utf8'), closed: true }); });
  });
}

export interface HeldRequest { socket: Socket; answer: Promise<string>; send: (b: Buffer | string) => void; finish: (b?: Buffer | string) => void }

/** A request on a raw connection: the head and `first` on the wire, the rest when the test says. */
export function openHeldRequest(port: number, head: string, first: Buffer | string = ''): HeldRequest {
  const socket = connect(port, '127.0.0.1');
  const got: Buffer[] = [];
  const answer = new Promise<string>((resolve) => {
    socket.on('data', (c: Buffer) => got.push(c));
    socket.on('close', () => resolve(Buffer.concat(got).toString('utf8')));
    socket.on('error', () => undefined);
  });
  socket.write(head);
  if (first.length) socket.write(first);
  return { socket, answer, send: (b) => socket.write(b), finish: (b) => (b === undefined ? socket.end() : socket.end(b)) };
}
