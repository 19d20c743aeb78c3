import type { CaseResult } from '../../runtime/case-result';

// Defined in runtime/ so the local suite runner produces it directly (runtime does not import the orchestrator).
export type { CaseResult };

/** What a reviewer needs to recognise a case's input: the client certificate's subject and serial, the client IP. */
export interface CaseInput {
  subject?: string;
  serial?: string;
  clientIp?: string;
}

/** A case's result with the input it ran on, when the caller had the cases at hand. */
export type ReportedCase = CaseResult & { input?: CaseInput };

export interface SuiteRunSummary {
  /** Where the suite ran: DEVELOPMENT or LIVE for remote runs, the suite file for local ones. */
  target: string;
  total: number;
  passed: number;
  failed: number;
  maxComputeUtilization?: number;
  results: ReportedCase[];
}

/** The subject, serial and client IP of a connection object (the shape CloudFront passes), as far as present. */
export function caseInput(connection: unknown): CaseInput {
  const c = connection as { clientIp?: unknown; clientCertificate?: { certificates?: { leaf?: { subject?: unknown; serialNumber?: unknown } } } };
  const leaf = c?.clientCertificate?.certificates?.leaf;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return { subject: str(leaf?.subject), serial: str(leaf?.serialNumber), clientIp: str(c?.clientIp) };
}

/** Summarises a suite run; with `cases` (same order as the results) each result also carries its input. */
export function summarize(target: SuiteRunSummary['target'], results: CaseResult[], cases?: { name: string; connection: unknown }[]): SuiteRunSummary {
  const passed = results.filter((r) => r.passed).length;
  const cus = results.map((r) => r.computeUtilization).filter((c): c is number => typeof c === 'number');
  const withInputs: ReportedCase[] = results.map((r, i) => {
    const c = cases?.[i]?.name === r.name ? cases[i] : cases?.find((x) => x.name === r.name);
    return c ? { ...r, input: caseInput(c.connection) } : r;
  });
  return {
    target, total: results.length, passed, failed: results.length - passed,
    maxComputeUtilization: cus.length ? Math.max(...cus) : undefined, results: withInputs,
  };
}
