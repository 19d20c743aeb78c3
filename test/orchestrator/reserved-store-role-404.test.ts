/**
 * A reserved key (the stage lease, approvals, rollback metadata) read while the stage's role cannot be assumed: an
 * STS 404 must stop the read, never read as "the key is absent" (an absent lease is a free stage).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKvsClient } from '../../aws/clients';
import { ReservedStore } from '../../orchestrator/records/reserved-store';
import { createStore, startHarness, stopHarness, type Harness } from '../emulator/harness';

describe('reserved keys behind a role that cannot be assumed', () => {
  let h: Harness;
  let noSts: Server;
  let url: string;
  beforeAll(async () => {
    h = await startHarness({ accountId: '222222222222' });
    // Answers every /sts call with a 404 that carries a request id, as an endpoint without STS would.
    noSts = createServer((req, res) => {
      req.resume();
      res.writeHead(404, { 'Content-Type': 'text/xml', 'x-amzn-RequestId': 'r-404' });
      res.end('<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchResource</Code><Message>no /sts here</Message></Error></ErrorResponse>');
    });
    await new Promise<void>((r) => noSts.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(noSts.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stopHarness(h);
    await new Promise((r) => noSts.close(r));
  });

  it('throws, naming the role, instead of answering "absent"', async () => {
    const arn = (await createStore(h, 'leases')).ARN!;
    const kvs = createKvsClient({ endpoint: url, region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/conngate-deploy', maxAttempts: 1 });
    const err = await new ReservedStore(kvs, arn).get('conngate:lease').then((v) => `answered ${String(v)}`, (e: Record<string, unknown>) => e);
    expect(err).not.toBe('answered undefined');
    expect((err as Record<string, unknown>).$conngateAssumedRole).toBe('arn:aws:iam::222222222222:role/conngate-deploy');
  });

  it('still answers "absent" for a key the store does not hold', async () => {
    const arn = (await createStore(h, 'leases-2')).ARN!;
    expect(await new ReservedStore(h.kvs, arn).get('conngate:lease')).toBeUndefined();
  });
});
