import { ErrorCodes, LedgerlinkError } from '../errors.js';
import type { MappingProblem, RecordError } from './types.js';

/** `file:line:col message`: the one-line form every mapping problem is printed in. */
export function formatProblem(problem: MappingProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.message}`;
}

/** `record P-17: TotalAmt (from amountCents): expected integer cents, got string "12.5"`. */
export function formatRecordError(error: RecordError): string {
  const record = error.recordId === undefined ? '' : `record ${error.recordId}: `;
  const source = error.source === undefined ? '' : ` (from ${error.source})`;
  return `${record}${error.field}${source}: ${error.message}`;
}

/** Orders problems as an editor lists them: by file, then line, then column. */
export function sortProblems(problems: readonly MappingProblem[]): MappingProblem[] {
  return [...problems].sort(
    (a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.line - b.line || a.col - b.col,
  );
}

/** How long one problem's message may be: a 100 kB key quoted back in full helps nobody. */
const MAX_MESSAGE = 500;

function clip(message: string): string {
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 3)}...`;
}

/**
 * A mapping file (or a merge of a mapping and an override) that is not valid. Carries every problem found,
 * each with its `file:line:col`; the message is one problem per line.
 */
export class MappingFileError extends LedgerlinkError {
  readonly problems: MappingProblem[];

  constructor(problems: readonly MappingProblem[]) {
    const sorted = sortProblems(problems).map((problem) => ({ ...problem, message: clip(problem.message) }));
    super(ErrorCodes.MAPPING_INVALID, sorted.map(formatProblem).join('\n'), { details: { problems: sorted } });
    this.name = 'MappingFileError';
    this.problems = sorted;
  }
}
