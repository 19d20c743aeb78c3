import { Construct } from 'constructs';
import { UserError } from '../diagnostics/user-error';
import { CloudfrontConnectionFunction } from './bindings/cloudfront-connection-function';
import { ConnectionFunctionCode } from './connection-function-code';
import { RESERVED_TAG_PREFIX } from './reserved-tags';
import { validateConnectionFunctionCode, validateConnectionFunctionName } from './connection-function-validation';

/** The only runtime CloudFront offers for connection functions. */
export const CONNECTION_FUNCTION_RUNTIME = 'cloudfront-js-2.0';

/** A store the function reads through `cf.kvs()`; a RevocationStore fits. */
export interface IKeyValueStoreRef {
  /** The store ARN (token or literal). */
  readonly arn: string;
}

/** Properties of a {@link ConnectionFunction}. */
export interface ConnectionFunctionProps {
  /** The function source, e.g. `ConnectionFunctionCode.fromFile('functions/revocation-check.js')`. */
  readonly code: ConnectionFunctionCode;
  /** Function name (1-64 of a-z A-Z 0-9 - _); changing it replaces the function. */
  readonly functionName: string;
  /**
   * Comment shown in the CloudFront console.
   * @default "conngate connection function <functionName>"
   */
  readonly comment?: string;
  /**
   * KeyValueStore associated with the function.
   * @default no store
   */
  readonly keyValueStore?: IKeyValueStoreRef;
  /**
   * Tags on the function. Keys starting with `conngate:` are reserved for evidence the orchestrator writes.
   * @default no tags
   */
  readonly tags?: Record<string, string>;
}

/**
 * A CloudFront connection function on cloudfront-js-2.0. Terraform owns only its DEVELOPMENT stage
 * (`publish = false`, always): the orchestrator publishes after the suite passed, so untested code never goes LIVE.
 * The code is validated at synth time (size, syntax, no `export`, a `connectionHandler` function).
 */
export class ConnectionFunction extends Construct {
  /** The function resource. */
  public readonly resource: CloudfrontConnectionFunction;
  /** Function name (known at synth time). */
  public readonly functionName: string;
  /** Candidate id: hex SHA-256 of the code bytes. */
  public readonly candidateSha256: string;
  /** Where the code came from (file path or label). */
  public readonly codeSource: string;
  /** Code size in bytes. */
  public readonly codeSizeBytes: number;

  public constructor(scope: Construct, id: string, props: ConnectionFunctionProps) {
    super(scope, id);
    validateConnectionFunctionName(props.functionName);
    validateConnectionFunctionCode(props.code.code, props.code.source);
    for (const key of Object.keys(props.tags ?? {})) {
      if (key.startsWith(RESERVED_TAG_PREFIX)) {
        throw new UserError('ConnectionFunction tags', `key "${key}" uses the reserved "conngate:" prefix`,
          'rename the tag; the orchestrator writes conngate:* tags as evidence and Terraform ignores them');
      }
    }
    this.functionName = props.functionName;
    this.candidateSha256 = props.code.sha256;
    this.codeSource = props.code.source;
    this.codeSizeBytes = props.code.sizeBytes;
    this.resource = new CloudfrontConnectionFunction(this, 'Function', {
      name: props.functionName,
      connectionFunctionCode: props.code.code,
      publish: false,
      tags: props.tags && Object.keys(props.tags).length > 0 ? props.tags : undefined,
      connectionFunctionConfig: [{
        comment: props.comment ?? `conngate connection function ${props.functionName}`,
        runtime: CONNECTION_FUNCTION_RUNTIME,
        keyValueStoreAssociation: props.keyValueStore ? [{ keyValueStoreArn: props.keyValueStore.arn }] : undefined,
      }],
    });
  }

  /** Function id token (what the distribution association takes). */
  public get functionId(): string { return this.resource.id; }
  /** Function ARN token. */
  public get functionArn(): string { return this.resource.connectionFunctionArn; }
  /** DEVELOPMENT ETag token. */
  public get etag(): string { return this.resource.etag; }
}
