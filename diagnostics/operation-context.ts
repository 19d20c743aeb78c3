/**
 * What the running command is talking to and waiting for, so that an error or a missed deadline can say so in its
 * one line ("endpoint http://127.0.0.1:4566 refused the connection", "waiting for GetConnectionFunction") even when
 * the failure surfaces far from the code that knew. One CLI run is one process, so one module-level record is
 * enough; the AWS clients and progress write it, the error mapper and the deadline read it.
 */

export interface EndpointInfo {
  /** The URL asked, or a description of the real AWS endpoint ("AWS (cloudfront.amazonaws.com)"). */
  endpoint: string;
  /** The AWS account the calls run as, when known (an ARN returned by the API reveals it). */
  account?: string;
}

let endpoint: EndpointInfo | undefined;
let waitingFor: string | undefined;
let step: string | undefined;
const identifierSources = new Map<string, string>();

/** Records the endpoint the CloudFront clients were created for. */
export function noteEndpoint(info: EndpointInfo): void {
  endpoint = { ...info, account: info.account ?? endpoint?.account };
}

/** Records the account seen in an ARN the endpoint returned. */
export function noteAccount(account: string): void {
  if (endpoint) endpoint.account = account;
}

export function currentEndpoint(): EndpointInfo | undefined {
  return endpoint;
}

/** Records what the command is waiting for now (a step, an API call); undefined when it waits for nothing. */
export function noteWaitingFor(what: string | undefined): void {
  waitingFor = what;
}

/** Records the step the command is in (what progress shows), the context of the calls it waits for. */
export function noteStep(text: string | undefined): void {
  step = text;
}

/** The API call in flight ("GetConnectionFunction at http://…"), or undefined. */
export function currentCall(): string | undefined {
  return waitingFor;
}

/** "GetConnectionFunction at http://… (step: dev: testing DEVELOPMENT)", or undefined when nothing is pending. */
export function currentlyWaitingFor(): string | undefined {
  if (waitingFor && step) return `${waitingFor} (step: ${step})`;
  return waitingFor ?? (step ? `step: ${step}` : undefined);
}

/** Records the file an identifier (function id, store ARN) was read from, so "not found" can name the stale file. */
export function noteIdentifierSource(identifier: string | undefined, file: string): void {
  if (identifier) identifierSources.set(identifier, file);
}

export function identifierSource(identifier: string): string | undefined {
  return identifierSources.get(identifier);
}

/** Forgets everything (tests that run several commands in one process). */
export function resetOperationContext(): void {
  endpoint = undefined;
  waitingFor = undefined;
  step = undefined;
  identifierSources.clear();
}
