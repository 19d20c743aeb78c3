"""A connection function's lifecycle through boto3 against the emulator, as a Python user would run it.

Usage: python3 boto3_lifecycle.py ENDPOINT
Prints one JSON object with what each step returned; exits non-zero on the first failure.
KeyValueStore calls go unsigned (SigV4A needs awscrt, and the emulator does not verify signatures) to the host
boto3's endpoint rules build, `<account id>.127.0.0.1:PORT`; it does not resolve, so the connection is made to
127.0.0.1 while the Host header keeps the prefixed name, as a resolving name would send it.
"""
import json
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import boto3
import botocore
from botocore.config import Config

endpoint = sys.argv[1]
common = dict(endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id='conngate-emulator',
              aws_secret_access_key='conngate-emulator')
cf = boto3.client('cloudfront', config=Config(retries={'max_attempts': 1}), **common)
kvs = boto3.client('cloudfront-keyvaluestore', config=Config(signature_version=botocore.UNSIGNED, retries={'max_attempts': 1}), **common)
hosts_sent = []


def connect_to_loopback(request, **_):
    parts = urlsplit(request.url)
    hosts_sent.append(parts.netloc)
    request.headers['Host'] = parts.netloc
    request.url = urlunsplit(parts._replace(netloc='127.0.0.1:%d' % parts.port))


kvs.meta.events.register('before-send', connect_to_loopback)
out = {}

store = cf.create_key_value_store(Name='boto3-serials', Comment='revoked serials')['KeyValueStore']
arn = store['ARN']
for _ in range(100):
    if cf.describe_key_value_store(Name='boto3-serials')['KeyValueStore']['Status'] == 'READY':
        break
    time.sleep(0.05)
etag = kvs.describe_key_value_store(KvsARN=arn)['ETag']
etag = kvs.put_key(KvsARN=arn, Key='0A1B', Value='revoked', IfMatch=etag)['ETag']
out['kvs_value'] = kvs.get_key(KvsARN=arn, Key='0A1B')['Value']
out['kvs_hosts'] = sorted(set(hosts_sent))

code = b'import cf from "cloudfront";\nconst kvs = cf.kvs();\nasync function connectionHandler(connection) {\n' \
       b'  const serial = connection.clientCertificate.certificates.leaf.serialNumber;\n' \
       b'  if (await kvs.exists(serial)) connection.deny(); else connection.allow();\n}\n'
created = cf.create_connection_function(
    Name='boto3-fn', ConnectionFunctionCode=code,
    ConnectionFunctionConfig={'Comment': 'boto3', 'Runtime': 'cloudfront-js-2.0',
                              'KeyValueStoreAssociations': {'Quantity': 1, 'Items': [{'KeyValueStoreARN': arn}]}})
fid = created['ConnectionFunctionSummary']['Id']
dev_etag = created['ETag']
out['status'] = cf.describe_connection_function(Identifier='boto3-fn')['ConnectionFunctionSummary']['Status']


def decision(serial, stage, etag):
    leaf = {'serialNumber': serial, 'subject': 'CN=client', 'issuer': 'CN=ca'}
    r = cf.test_connection_function(Id=fid, IfMatch=etag, Stage=stage,
                                    ConnectionObject=json.dumps({'clientCertificate': {'certificates': {'leaf': leaf}}}).encode())
    return json.loads(r['ConnectionFunctionTestResult']['ConnectionFunctionOutput'])['decision']


out['dev_revoked'] = decision('0A1B', 'DEVELOPMENT', dev_etag)
out['dev_good'] = decision('0C0D', 'DEVELOPMENT', dev_etag)
cf.publish_connection_function(Id=fid, IfMatch=dev_etag)
live = cf.describe_connection_function(Identifier=fid, Stage='LIVE')
out['live_revoked'] = decision('0A1B', 'LIVE', live['ETag'])
fn_arn = live['ConnectionFunctionSummary']['ConnectionFunctionArn']
cf.tag_resource(Resource=fn_arn, Tags={'Items': [{'Key': 'stage', 'Value': 'dev'}, {'Key': 'owner', 'Value': 'boto3'}]})
cf.untag_resource(Resource=fn_arn, TagKeys={'Items': ['owner']})
out['tags'] = cf.list_tags_for_resource(Resource=fn_arn)['Tags']['Items']
updated = cf.update_connection_function(
    Id=fid, IfMatch=cf.describe_connection_function(Identifier=fid)['ETag'],
    ConnectionFunctionCode=b'function connectionHandler(c) { c.deny(); }',
    ConnectionFunctionConfig={'Comment': 'deny all', 'Runtime': 'cloudfront-js-2.0',
                              'KeyValueStoreAssociations': {'Quantity': 0}})
out['after_update'] = decision('0C0D', 'DEVELOPMENT', updated['ETag'])
try:
    cf.update_connection_function(Id=fid, IfMatch=dev_etag, ConnectionFunctionCode=b'x',
                                  ConnectionFunctionConfig={'Comment': '', 'Runtime': 'cloudfront-js-2.0'})
    out['stale_etag'] = 'accepted'
except cf.exceptions.PreconditionFailed:
    out['stale_etag'] = 'PreconditionFailed'
out['listed'] = [f['Name'] for f in cf.list_connection_functions()['ConnectionFunctions']]
cf.delete_connection_function(Id=fid, IfMatch=cf.describe_connection_function(Identifier=fid)['ETag'])
out['after_delete'] = [f['Name'] for f in cf.list_connection_functions().get('ConnectionFunctions', [])]
print(json.dumps(out))
