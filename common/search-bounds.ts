import { hagueError } from './errors.ts';

/**
 * The bounds of search inputs, shared by the gateway (refusing before any state is asked) and
 * every member (refusing whatever the gateway sent): a name is a person's or an organisation's
 * name, not a text; ids and document numbers are short. Values are never echoed in messages.
 */

export interface PersonFilter {
  name?: string | null;
  dateOfBirth?: string | null;
  documentNumber?: string | null;
  nationality?: string | null;
  status?: string | null;
  /** Held on a watchlist whose name contains this text (case-insensitive). */
  listedOn?: string | null;
  /** Travelled from or to this place (city and/or country), within the dates, planned trips only if asked. */
  travelPlace?: TravelPlaceFilter | null;
  /** Affiliated to this organisation: its id at the owner, or its name (matched as tolerantly as names). */
  organisation?: string | null;
}

export interface TravelPlaceFilter {
  city?: string | null;
  country?: string | null;
  from?: string | null;
  until?: string | null;
  plannedOnly?: boolean | null;
}

export interface OrganisationFilter {
  name?: string | null;
  kind?: string | null;
}

const SPECIAL_LETTERS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/** Splits a name into plain lowercase ASCII words; hyphenated and apostrophed parts are joined. */
export function nameWords(name: string): string[] {
  const plain = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (ch) => SPECIAL_LETTERS[ch] ?? ch)
    .replace(/[-'’`]/g, '');
  return plain.split(/[^a-z]+/).filter((word) => word.length > 0);
}

/**
 * Bounds on free-text criteria, checked before anything is read (and again here): a name is a
 * person's or an organisation's name, not a text. Name matching is linear in the words, and these
 * bounds keep one search to a few dozen keys.
 */
export const SEARCH_BOUNDS = {
  /** Characters of filter.name. */
  nameLength: 100,
  /** Words of filter.name (after hyphens and apostrophes join their parts: Abdel-Hamid is one). */
  nameWords: 8,
  /** Characters of filter.documentNumber (passport and ID numbers have at most about 20). */
  documentNumberLength: 40,
  /** Characters of an id argument (person(id:), entity keys). */
  idLength: 100,
  /** Characters of filter.listedOn and filter.travelPlace.city (list and city names are short). */
  textLength: 100,
} as const;
function tooLong(argument: string, length: number, max: number, what: string) {
  return hagueError('BAD_USER_INPUT', `${argument} may have at most ${max} characters (got ${length}): ${what}`, { argumentName: argument });
}

/** filter.name of persons and organisations: at most SEARCH_BOUNDS.nameLength characters and nameWords words. */
export function checkName(name: string | null | undefined, argument = 'filter.name'): void {
  if (name == null) return;
  if (name.length > SEARCH_BOUNDS.nameLength) throw tooLong(argument, name.length, SEARCH_BOUNDS.nameLength, 'search for one name at a time');
  const words = nameWords(name).length;
  if (words > SEARCH_BOUNDS.nameWords) {
    throw hagueError('BAD_USER_INPUT', `${argument} may have at most ${SEARCH_BOUNDS.nameWords} words (got ${words}): search for one name at a time`, {
      argumentName: argument,
    });
  }
}

/** The free-text criteria of a person search, bounded; the values themselves are never echoed. */
export function checkPersonFilter(filter: PersonFilter | null | undefined): void {
  if (!filter) return;
  checkName(filter.name);
  const number = filter.documentNumber;
  if (number != null && number.length > SEARCH_BOUNDS.documentNumberLength) {
    throw tooLong('filter.documentNumber', number.length, SEARCH_BOUNDS.documentNumberLength, 'give the document number as printed');
  }
  if (filter.nationality != null && !/^[A-Za-z]{2}$/.test(filter.nationality.trim())) {
    throw hagueError('BAD_USER_INPUT', 'filter.nationality must be an ISO 3166-1 alpha-2 code: two letters, e.g. BE', { argumentName: 'filter.nationality' });
  }
  for (const argument of ['listedOn', 'organisation'] as const) {
    const text = filter[argument];
    // Blank would match every record: an empty string is no criterion, spaces alone are a mistake.
    if (text != null && text !== '' && text.trim() === '') {
      throw hagueError('BAD_USER_INPUT', `filter.${argument} is blank; give a name, or leave it out`, { argumentName: `filter.${argument}` });
    }
  }
  if (filter.listedOn != null && filter.listedOn.length > SEARCH_BOUNDS.textLength) {
    throw tooLong('filter.listedOn', filter.listedOn.length, SEARCH_BOUNDS.textLength, 'give (part of) the list name, e.g. UN 1267');
  }
  if (filter.organisation != null && filter.organisation.length > SEARCH_BOUNDS.nameLength) {
    throw tooLong('filter.organisation', filter.organisation.length, SEARCH_BOUNDS.nameLength, "give the organisation's id or name");
  }
  const place = filter.travelPlace;
  if (place != null) {
    if (!place.city?.trim() && !place.country?.trim()) {
      throw hagueError('BAD_USER_INPUT', 'filter.travelPlace needs a city or a country', { argumentName: 'filter.travelPlace' });
    }
    if (place.city != null && place.city.length > SEARCH_BOUNDS.textLength) {
      throw tooLong('filter.travelPlace.city', place.city.length, SEARCH_BOUNDS.textLength, 'give the city name');
    }
    if (place.country != null && !/^[A-Za-z]{2}$/.test(place.country.trim())) {
      throw hagueError('BAD_USER_INPUT', 'filter.travelPlace.country must be an ISO 3166-1 alpha-2 code: two letters, e.g. TR', {
        argumentName: 'filter.travelPlace.country',
      });
    }
    if (place.from && place.until && place.from > place.until) {
      throw hagueError('BAD_USER_INPUT', 'filter.travelPlace.from is after filter.travelPlace.until', { argumentName: 'filter.travelPlace' });
    }
  }
}

export function checkOrganisationFilter(filter: OrganisationFilter | null | undefined): void {
  if (filter) checkName(filter.name);
}

/** An id argument: record ids are short; anything longer is refused before it reaches SQL. */
export function checkId(id: unknown, argument = 'id'): void {
  if (typeof id === 'string' && id.length > SEARCH_BOUNDS.idLength)
    throw tooLong(argument, id.length, SEARCH_BOUNDS.idLength, 'give the id as the record shows it');
}

/** The input bounds of each root field with arguments to check, by schema coordinate (variables applied). */
export const SEARCH_ARGUMENT_CHECKS: Record<string, (args: Record<string, unknown>) => void> = {
  'Query.persons': (args) => checkPersonFilter(args.filter as PersonFilter | null),
  'Query.organisations': (args) => checkOrganisationFilter(args.filter as OrganisationFilter | null),
  'Query.person': (args) => checkId(args.id),
};
