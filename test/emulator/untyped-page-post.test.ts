import * as cf from '@aws-sdk/client-cloudfront';
import { createFunction, startHarness, stopHarness, type Harness } from './harness';
import { rawRequest, xmlErrorCode } from './raw-http';

/**
 * A page sends a POST without a CORS preflight when its body has no type (fetch with a Blob or ArrayBuffer body,
 * mode no-cors): the request then has no Content-Type at all. From a page on another site its Origin is refused;
 * a page on another loopback port (a local dev server showing untrusted content) passed the Origin check and,
 * with no "simple" type to refuse, could rewrite evidence tags.
 */
describe('an untyped POST from a page is refused like a simple one', () => {
  let h: Harness;
  let port: number;
  beforeAll(async () => {
    h = await startHarness();
    port = h.emu.port;
  });
  afterAll(() => stopHarness(h));

  test('a loopback page cannot rewrite tags with a Blob body; a client without Origin (boto3, the CLI) still can', async () => {
    const f = await createFunction(h, 'evidence', 'function connectionHandler(c) { c.allow(); }');
    const arn = f.ConnectionFunctionSummary!.ConnectionFunctionArn!;
    await h.cf.send(new cf.TagResourceCommand({ Resource: arn, Tags: { Items: [{ Key: 'conngate:evidence', Value: 'signed' }] } }));
    const forged = '<Tags xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Items><Tag><Key>conngate:evidence</Key><Value>forged</Value></Tag></Items></Tags>';
    const path = `/2020-05-31/tagging?Operation=Tag&Resource=${encodeURIComponent(arn)}`;
    for (const headers of <Record<string, string>[]>[
      { Origin: 'http://localhost:3000' },
      { Origin: `http://127.0.0.1:${port}`, 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'no-cors' },
      { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'no-cors' },
    ]) {
      const r = await rawRequest(port, 'POST', path, headers, forged);
      expect({ headers, status: r.status, code: xmlErrorCode(r.body) }).toEqual({ headers, status: 403, code: 'AccessDenied' });
    }
    expect((await h.cf.send(new cf.ListTagsForResourceCommand({ Resource: arn }))).Tags?.Items)
      .toEqual([{ Key: 'conngate:evidence', Value: 'signed' }]);

    const renamed = forged.replace('forged', 'from-cli');
    const cli = await rawRequest(port, 'POST', path, {}, renamed);
    expect(cli.status).toBe(204);
    expect((await h.cf.send(new cf.ListTagsForResourceCommand({ Resource: arn }))).Tags?.Items)
      .toEqual([{ Key: 'conngate:evidence', Value: 'from-cli' }]);
  });
});
