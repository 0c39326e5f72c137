import type { HandlingColumns } from './store-schema.ts';

/**
 * Handling codes and evaluations (the contract's Handling and Evaluation): what the owner allows a
 * recipient to do with a record or fact, and how reliable the owner judges it. Stored with the record
 * or fact it describes (HandlingColumns), released with it: the value types carry no release rule of
 * their own, so whoever may not see Person.travel gets no travel leg and no handling code of one.
 */

/** Europol SIENA handling codes. H3 always carries the owner's restriction in words. */
export const HANDLING_CODES = ['H0', 'H1', 'H2', 'H3'] as const;
export type HandlingCode = (typeof HANDLING_CODES)[number];

/** Source reliability of the 4x4 evaluation. */
export const SOURCE_RELIABILITIES = ['A', 'B', 'C', 'X'] as const;
export type SourceReliability = (typeof SOURCE_RELIABILITIES)[number];

/** Information accuracy 1-4: stored as the digit, named in the contract as a word (enum values cannot start with a digit). */
export const INFORMATION_ACCURACIES = { '1': 'ONE', '2': 'TWO', '3': 'THREE', '4': 'FOUR' } as const;
export type InformationDigit = keyof typeof INFORMATION_ACCURACIES;

export interface HandlingValue {
  code: HandlingCode;
  restriction: string | null;
}

export interface EvaluationValue {
  source: SourceReliability;
  information: (typeof INFORMATION_ACCURACIES)[InformationDigit];
}

/** What the owner sets on a record or fact: handling code (with restriction text for H3) and an evaluation such as 'B2'. */
export interface Marking {
  handling: HandlingCode;
  restriction?: string;
  evaluation: `${SourceReliability}${InformationDigit}`;
}

function isHandlingCode(value: unknown): value is HandlingCode {
  return typeof value === 'string' && (HANDLING_CODES as readonly string[]).includes(value);
}

/** The columns a marking is stored in; throws on a marking the contract could not express (H3 without its restriction). */
export function markingColumns(marking: Marking): HandlingColumns {
  if (!isHandlingCode(marking.handling)) throw new RangeError(`handling code must be one of ${HANDLING_CODES.join(', ')}, got ${String(marking.handling)}`);
  if (marking.handling === 'H3' && !marking.restriction?.trim()) throw new RangeError('handling code H3 needs its restriction text');
  const [source, information] = [marking.evaluation[0], marking.evaluation.slice(1)];
  if (!(SOURCE_RELIABILITIES as readonly string[]).includes(source) || !(information in INFORMATION_ACCURACIES)) {
    throw new RangeError(`evaluation must be a source reliability (A, B, C, X) and an accuracy (1-4), e.g. B2; got ${marking.evaluation}`);
  }
  return {
    handling_code: marking.handling,
    handling_restriction: marking.restriction ?? null,
    evaluation_source: source,
    evaluation_information: information,
  };
}

/** The contract's Handling of a stored row; null when the owner set none (or a value the contract does not know). */
export function handlingOf(row: Partial<HandlingColumns>): HandlingValue | null {
  if (!isHandlingCode(row.handling_code)) return null;
  return { code: row.handling_code, restriction: row.handling_restriction ?? null };
}

/** The contract's Evaluation of a stored row; null when the owner set none. */
export function evaluationOf(row: Partial<HandlingColumns>): EvaluationValue | null {
  const source = row.evaluation_source;
  const information = row.evaluation_information;
  if (!source || !(SOURCE_RELIABILITIES as readonly string[]).includes(source)) return null;
  if (!information || !(information in INFORMATION_ACCURACIES)) return null;
  return { source: source as SourceReliability, information: INFORMATION_ACCURACIES[information as InformationDigit] };
}

/** Field resolvers of `handling` and `evaluation` for a type whose rows carry HandlingColumns. */
export const handlingResolvers = {
  handling: (row: Partial<HandlingColumns>) => handlingOf(row),
  evaluation: (row: Partial<HandlingColumns>) => evaluationOf(row),
};
