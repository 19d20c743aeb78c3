import { UserError } from '../../diagnostics/user-error';
import { RESOURCE_APPLIERS } from '../../local-apply/resource-appliers';
import { orderByDependencies } from '../../local-apply/resource-order';
import { parseStackDocument } from '../../local-apply/stack-document';
import { collectReferences, parseTemplate, resolveValue } from '../../local-apply/terraform-references';

const FILE = '/out/stacks/dev/cdk.tf.json';

/** A small but complete document in the shape cdktf synthesizes. */
function doc(extra: Record<string, any> = {}) {
  return {
    '//': { metadata: { stackName: 'dev' } },
    terraform: { backend: { local: { path: 'x.tfstate' } } },
    provider: { aws: [{ region: 'us-east-1', default_tags: [{ tags: { project: 'conngate' } }] }] },
    resource: {
      aws_cloudfront_connection_function: {
        Fn: {
          name: 'fn', connection_function_code: 'function connectionHandler(c) { c.allow(); }', publish: false,
          connection_function_config: [{ runtime: 'cloudfront-js-2.0', key_value_store_association: [{ key_value_store_arn: '${aws_cloudfront_key_value_store.Store.arn}' }] }],
        },
      },
      aws_cloudfront_key_value_store: { Store: { name: 'store', comment: 'c' } },
      aws_cloudfrontkeyvaluestore_key: {
        Canary: { key_value_store_arn: '${aws_cloudfront_key_value_store.Store.arn}', key: 'k', value: 'v' },
      },
    },
    output: { function_id: { value: '${aws_cloudfront_connection_function.Fn.id}' } },
    ...extra,
  };
}

function refusal(run: () => unknown): UserError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).not.toContain('\n');
    return err as UserError;
  }
  throw new Error('expected a refusal');
}

describe('Terraform references', () => {
  test('whole-string references keep the value type; embedded ones become text; $${ is a literal', () => {
    const attrs: Record<string, unknown> = { 'a_t.x.id': 'ID1', 'a_t.x.n': 7, 'a_t.x.on': true };
    const lookup = (r: { address: string; attribute: string }) => attrs[`${r.address}.${r.attribute}`];
    expect(resolveValue({ a: '${a_t.x.n}', b: ['${a_t.x.on}'], c: 'id=${a_t.x.id}/${a_t.x.n}', d: 'js `$${x}`' }, lookup))
      .toEqual({ a: 7, b: [true], c: 'id=ID1/7', d: 'js `${x}`' });
    expect(collectReferences({ a: 'x ${a_t.x.id} ${b_t.y.arn}', b: '$${not.a.ref}' }).map((r) => `${r.address}.${r.attribute}`))
      .toEqual(['a_t.x.id', 'b_t.y.arn']);
  });

  test.each([
    ['${var.region}', /"var\." references/],
    ['${data.aws_caller_identity.me.account_id}', /"data\." references/],
    ['${upper(aws_x.y.z)}', /only resource attribute references/],
    ['${aws_x.y.z[0]}', /only resource attribute references/],
    ['%{ if true }x%{ endif }', /template directives/],
    ['${aws_x.y.z', /unterminated/],
  ])('refuses %s', (text, reason) => {
    expect(() => parseTemplate(text)).toThrow(reason);
  });
});

describe('resource ordering', () => {
  test('every resource comes after what it references; ties are broken by address', () => {
    const order = orderByDependencies(new Map([
      ['d', new Set(['b', 'c'])], ['c', new Set(['a'])], ['b', new Set(['a'])], ['a', new Set<string>()], ['e', new Set<string>()],
    ]));
    expect(order).toEqual(['a', 'e', 'b', 'c', 'd']);
  });

  test('a cycle is reported with the resources in it', () => {
    expect(() => orderByDependencies(new Map([['a', new Set(['b'])], ['b', new Set(['a'])], ['c', new Set<string>()]])))
      .toThrow('resources reference each other in a cycle (or depend on one): a, b');
  });
});

describe('stack document validation', () => {
  test('orders a valid document by its references and reads the provider default tags', () => {
    const d = parseStackDocument(doc(), FILE, RESOURCE_APPLIERS);
    expect(d.order).toEqual([
      'aws_cloudfront_key_value_store.Store', 'aws_cloudfront_connection_function.Fn', 'aws_cloudfrontkeyvaluestore_key.Canary',
    ]);
    expect(d.defaultTags).toEqual({ project: 'conngate' });
    // Single blocks written as lists by cdktf are normalized to objects.
    expect(d.resources.get('aws_cloudfront_connection_function.Fn')!.config.connection_function_config)
      .toEqual({ runtime: 'cloudfront-js-2.0', key_value_store_association: { key_value_store_arn: '${aws_cloudfront_key_value_store.Store.arn}' } });
  });

  test('an unsupported resource type is refused with one line naming the file, the address and the fix', () => {
    const d = doc();
    (d.resource as any).aws_s3_bucket = { Bundle: { bucket: 'b' } };
    const e = refusal(() => parseStackDocument(d, FILE, RESOURCE_APPLIERS));
    expect(e.message).toMatch(/^\/out\/stacks\/dev\/cdk\.tf\.json aws_s3_bucket\.Bundle: resource type aws_s3_bucket is not supported by the local applier \(supported: aws_cloudfront_connection_function, /);
    expect(e.fix).toMatch(/cdktf deploy/);
  });

  test.each([
    ['a data source', (d: any) => { d.data = { aws_caller_identity: { me: {} } }; }, /data sources \(aws_caller_identity\) are not supported/],
    ['an unknown argument', (d: any) => { d.resource.aws_cloudfront_key_value_store.Store.import_source = 'x'; },
      /aws_cloudfront_key_value_store\.Store: import_source: argument not supported by the local applier/],
    ['an unknown nested argument', (d: any) => { d.resource.aws_cloudfront_connection_function.Fn.connection_function_config[0].extra = 1; },
      /connection_function_config\.extra: argument not supported/],
    ['a wrongly typed argument', (d: any) => { d.resource.aws_cloudfront_connection_function.Fn.publish = 'no'; }, /publish: must be true or false/],
    ['a missing required argument', (d: any) => { delete d.resource.aws_cloudfrontkeyvaluestore_key.Canary.value; }, /value: required argument is missing/],
    ['a meta-argument', (d: any) => { d.resource.aws_cloudfront_key_value_store.Store.count = 2; }, /meta-argument "count" is not supported/],
    ['a reference to an undeclared resource', (d: any) => { d.resource.aws_cloudfrontkeyvaluestore_key.Canary.value = '${aws_cloudfront_key_value_store.Other.arn}'; },
      /references aws_cloudfront_key_value_store\.Other, which the stack does not declare/],
    ['an attribute the applier does not provide', (d: any) => { d.output.x = { value: '${aws_cloudfront_key_value_store.Store.bogus}' }; },
      /output\.x: references attribute "bogus" of aws_cloudfront_key_value_store\.Store/],
    ['an unsupported expression', (d: any) => { d.resource.aws_cloudfront_key_value_store.Store.comment = '${var.comment}'; }, /"var\." references are not supported/],
    ['a reference cycle', (d: any) => {
      d.resource.aws_cloudfront_key_value_store.Store.comment = '${aws_cloudfrontkeyvaluestore_key.Canary.id}';
    }, /cycle \(or depend on one\): aws_cloudfront_connection_function\.Fn, aws_cloudfront_key_value_store\.Store, aws_cloudfrontkeyvaluestore_key\.Canary/],
  ])('refuses %s', (_name, mutate, message) => {
    const d = doc();
    mutate(d);
    expect(refusal(() => parseStackDocument(d, FILE, RESOURCE_APPLIERS)).message).toMatch(message);
  });
});
