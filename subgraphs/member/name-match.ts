/**
 * Tolerant name matching. Names are reduced to tokens with a phonetic key (case, diacritics,
 * hyphens, doubled letters and common transliteration variants removed) and a skeleton (the key
 * without vowels after the first letter). The store indexes both; a search fetches candidates by
 * key or skeleton, then scores them here so the best matches come first.
 */

export { nameWords } from '../../common/search-bounds.ts';
import { nameWords } from '../../common/search-bounds.ts';

/** Ordered transliteration rules: spelling variants of the same sound map to one spelling. */
const TRANSLITERATIONS: Array<[RegExp, string]> = [
  [/tsch|tch/g, 'ch'],
  [/sch/g, 'sh'],
  [/ph/g, 'f'],
  [/kh/g, 'h'],
  [/gh/g, 'g'],
  [/dh/g, 'd'],
  [/th/g, 't'],
  [/dj|dzh/g, 'j'],
  [/ck|q/g, 'k'],
  [/ou|oo/g, 'u'],
  [/ee|ie|ei|ey|y/g, 'i'],
  [/w/g, 'v'],
  [/(.)\1+/g, '$1'],
];

export function phoneticKey(word: string): string {
  let key = word;
  for (const [pattern, replacement] of TRANSLITERATIONS) key = key.replace(pattern, replacement);
  return key;
}

/**
 * Version of the keys below. Stored keys of another version are rebuilt at start (name-index.ts),
 * so changing a rule never leaves a database searching with stale keys.
 */
export const NAME_KEYS_VERSION = 2;

/**
 * The key's consonant frame: after the first letter, vowels and the letters that drift between
 * spellings (v/w/u: Belhawari = Belhaouari, h: Begovic = Begowitsch) are dropped. Coarse on
 * purpose: it only fetches candidates, which matchScore then ranks.
 */
export function skeleton(key: string): string {
  return key.length <= 1 ? key : key[0] + key.slice(1).replace(/[aeiouvh]/g, '');
}

export interface NameKey {
  key: string;
  skeleton: string;
}

/**
 * The search keys stored for a record's names: every word, plus adjacent words joined
 * ("Abdel Hamid" also as "abdelhamid"), so spacing differences still match.
 */
export function nameKeys(names: string[]): NameKey[] {
  const keys = new Map<string, NameKey>();
  for (const name of names) {
    const words = nameWords(name);
    const parts = [...words];
    for (let i = 0; i + 1 < words.length; i++) parts.push(words[i] + words[i + 1]);
    for (const part of parts) {
      const key = phoneticKey(part);
      keys.set(key, { key, skeleton: skeleton(key) });
    }
  }
  return [...keys.values()];
}

/** The keys a search string looks up: its words, each also joined with its neighbour. */
export function queryKeys(query: string): NameKey[] {
  return nameKeys([query]);
}

function editDistanceAtMostOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (a.length < b.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** How well one search word matches a record, in hundredths: 100 same key, 85 same skeleton, 80 one edit apart, else 0. */
function wordScore(query: NameKey, record: NameKey[]): number {
  let best = 0;
  for (const candidate of record) {
    if (candidate.key === query.key) return 100;
    if (candidate.skeleton === query.skeleton && query.skeleton.length >= 3) best = Math.max(best, 85);
    else if (query.key.length >= 5 && editDistanceAtMostOne(candidate.key, query.key)) best = Math.max(best, 80);
  }
  return best;
}

/** Minimum score for a record to count as a match. */
export const MATCH_THRESHOLD = 0.75;

/**
 * Scores a record's keys against a search string, 0..1: the average best match of the search's
 * words, trying each pair of neighbouring words also as one word ("abdel hamid" = "abdelhamid").
 * Linear in the words: each word and each joined pair is scored once, and the average with pair i
 * joined is the total less its two words plus the pair (in exact hundredths).
 */
export function matchScore(query: string, record: NameKey[]): number {
  const { words, pairs } = queryWords(query);
  if (words.length === 0) return 0;
  const scores = words.map((word) => wordScore(word, record));
  const total = scores.reduce((sum, score) => sum + score, 0);
  // best = bestSum / bestLength, compared as fractions so nothing is rounded before the end.
  let bestSum = total;
  let bestLength = words.length;
  pairs.forEach((pair, i) => {
    const sum = total - scores[i] - scores[i + 1] + wordScore(pair, record);
    const length = words.length - 1;
    if (sum * bestLength > bestSum * length) [bestSum, bestLength] = [sum, length];
  });
  return Math.round((bestSum * 10) / bestLength) / 1000;
}

/** The last search's words and joined neighbours: one search scores up to thousands of candidates against the same query. */
let lastQuery: { query: string; words: NameKey[]; pairs: NameKey[] } | undefined;

function queryWords(query: string): { words: NameKey[]; pairs: NameKey[] } {
  if (lastQuery?.query === query) return lastQuery;
  const words = nameWords(query).map((w) => {
    const key = phoneticKey(w);
    return { key, skeleton: skeleton(key) };
  });
  const pairs = words.slice(1).map((word, i) => {
    const key = phoneticKey(words[i].key + word.key);
    return { key, skeleton: skeleton(key) };
  });
  lastQuery = { query, words, pairs };
  return lastQuery;
}
