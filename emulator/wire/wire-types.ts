/** The two wire protocols of the emulated APIs and one encoded response: shared by the operation binding and the errors. */
export type WireProtocol = 'rest-xml' | 'rest-json';

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}
