import * as http from 'node:http';
import * as net from 'node:net';

/** Loopback servers that are not the CloudFront API, each the way a wrong or broken endpoint misbehaves. */
export interface HostileEndpoints {
  /** Accepts connections and never answers a byte. */
  silent: string;
  /** A web server's HTML 404 page. */
  html404: string;
  /** A web page with 200 OK. */
  html200: string;
  /** Carries an AWS request id header but answers a body no CloudFront parser can read. */
  garbage: string;
  /** A port that was open a moment ago and is closed now (nothing listens). */
  closed: string;
  close(): Promise<void>;
}

function listen(server: net.Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`)));
}

export async function startHostileEndpoints(): Promise<HostileEndpoints> {
  const sockets = new Set<net.Socket>();
  const silentServer = net.createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}); });
  const html404 = http.createServer((_q, r) => { r.writeHead(404, { 'content-type': 'text/html' }); r.end('<html><body><h1>Not Found</h1></body></html>'); });
  const html200 = http.createServer((_q, r) => { r.writeHead(200, { 'content-type': 'text/html' }); r.end('<!doctype html><html><body>Welcome to nginx!</body></html>'); });
  const garbage = http.createServer((_q, r) => {
    r.writeHead(500, { 'content-type': 'text/xml', 'x-amzn-RequestId': 'b3c1f0d2-0000-4000-8000-000000000000' });
    r.end('<<<this is not <xml at all');
  });
  const closedServer = net.createServer();
  const servers = [silentServer, html404, html200, garbage];
  const [silentUrl, html404Url, html200Url, garbageUrl, closedUrl] = await Promise.all([
    listen(silentServer), listen(html404), listen(html200), listen(garbage), listen(closedServer)]);
  await new Promise<void>((r) => closedServer.close(() => r()));
  return {
    silent: silentUrl, html404: html404Url, html200: html200Url, garbage: garbageUrl, closed: closedUrl,
    async close() {
      for (const s of sockets) s.destroy();
      for (const s of [html404, html200, garbage]) (s as http.Server).closeAllConnections();
      await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    },
  };
}
