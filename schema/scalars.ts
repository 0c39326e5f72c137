import { GraphQLScalarType, Kind } from 'graphql';
import { hagueError } from '../common/errors.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: unknown): string {
  if (
    typeof value !== 'string' ||
    !DATE.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
  ) {
    throw hagueError('BAD_USER_INPUT', `Date must be an ISO calendar date like 1987-04-12 (got ${JSON.stringify(value)})`);
  }
  return value;
}

/** ISO 8601 calendar date, kept as the string 'YYYY-MM-DD' end to end. */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  description: 'ISO 8601 calendar date, e.g. 1987-04-12.',
  serialize: (value) => String(value).slice(0, 10),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

/** ISO 8601 date and time in UTC, as a string. */
export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  description: 'ISO 8601 date and time in UTC, e.g. 2015-01-14T06:35:00Z.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value)))
      throw hagueError('BAD_USER_INPUT', `DateTime must be ISO 8601 like 2015-01-14T06:35:00Z (got ${JSON.stringify(value)})`);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || Number.isNaN(Date.parse(ast.value)))
      throw hagueError('BAD_USER_INPUT', 'DateTime must be ISO 8601 like 2015-01-14T06:35:00Z');
    return ast.value;
  },
});
