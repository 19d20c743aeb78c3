import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Caps the open connections without letting slow or idle clients hold them all: when a new connection would go
 * over the cap, the oldest connection that is not being served (idle between requests, or still sending its
 * request) is closed to make room; only when every connection is being served is the new one turned away.
 * Together with the header and request timeouts this means a crowd of clients trickling bytes cannot lock out
 * a client that sends its request at once.
 */
export class ConnectionGovernor {
  /** Open connections, oldest first, with the number of requests being served on each. */
  private readonly open = new Map<Socket, { serving: number }>();

  constructor(private readonly maxConnections: number) {}

  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  get size(): number {
    return this.open.size;
  }

  private admit(socket: Socket): void {
    this.open.set(socket, { serving: 0 });
    socket.once('close', () => this.open.delete(socket));
    if (this.open.size <= this.maxConnections) return;
    for (const [s, st] of this.open) {
      if (s !== socket && st.serving === 0) {
        s.destroy();
        this.open.delete(s);
        return;
      }
    }
    socket.destroy();
    this.open.delete(socket);
  }

  /** Marks a connection as being served (its request was read and is being answered) until `done` is called. */
  serving(socket: Socket): () => void {
    const st = this.open.get(socket);
    if (!st) return () => undefined;
    st.serving++;
    let done = false;
    return () => {
      if (!done) {
        done = true;
        st.serving--;
      }
    };
  }
}
