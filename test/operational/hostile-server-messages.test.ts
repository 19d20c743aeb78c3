/**
 * An error a server sends (its code and message) ends up in conngate's one-line error: a terminal escape, a bidi
 * override or a second line in it must be shown escaped, never written to the terminal or a CI log as is.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DescribeConnectionFunctionCommand } from '@aws-sdk/client-cloudfront';
import { createCloudFrontClient } from '../../aws/clients';
import { mapOperationalError } from '../../diagnostics/operational-error';

describe('server error text in one-line errors', () => {
  let server: http.Server;
  let endpoint: string;
  let status = 500;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'r-1' });
      res.end('<ErrorResponse><Error><Type>Receiver</Type><Code>Internal\u001b[2KError</Code>'
        + '<Message>boom\u001b[2K\u202eforged&#10;conngate: all good</Message></Error><RequestId>r-1</RequestId></ErrorResponse>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it.each([500, 403, 409])('a %s answer: the message stays one line with every control and bidi character escaped', async (s) => {
    status = s;
    const cf = createCloudFrontClient({ endpoint, region: 'us-east-1', maxAttempts: 1 });
    const err = await cf.send(new DescribeConnectionFunctionCommand({ Identifier: 'x' })).then(() => undefined, (e: unknown) => e);
    const mapped = mapOperationalError(err);
    expect(mapped).toBeDefined();
    expect(mapped!.message).not.toMatch(/[\u0000-\u001f\u202e]/);
    expect(mapped!.message).toContain('boom\\u001b[2K\\u202eforged');
  });
});
