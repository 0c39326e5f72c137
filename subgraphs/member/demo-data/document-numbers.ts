import { documentNumberKey } from '../search.ts';
import { MEMBER_STATES } from '../../../common/member-states.ts';
import { hashSeed, type Random } from './random.ts';
import type { DocumentKind } from './contract-enums.ts';

// ---------------------------------------------------------------------------------------------
// Identity document numbers
// ---------------------------------------------------------------------------------------------

/** Number shapes: L letter, D digit, A letter or digit, C one of CFGHJKLMNPRTVWXYZ0-9 (German); any other character is literal. */
const DOC_FORMATS: Record<DocumentKind, Record<string, string>> = {
  PASSPORT: {
    NL: 'LLAAAAAAD',
    BE: 'LLDDDDDD',
    FR: 'DDLLDDDDD',
    DE: 'CCCCCCCCC',
    ES: 'LLLDDDDDD',
    IT: 'LLDDDDDDD',
    AT: 'PDDDDDDD',
    PT: 'LDDDDDD',
    SE: 'DDDDDDDD',
    DK: 'DDDDDDDDD',
    FI: 'LLDDDDDDD',
    MA: 'LLDDDDDDD',
    DZ: 'DDDDDDDDD',
    TN: 'LDDDDDDD',
    TR: 'UDDDDDDDD',
    SY: 'NDDDDDDDDD',
    IQ: 'LDDDDDDDD',
    RU: 'DDDDDDDDD',
    BA: 'LDDDDDDD',
    AL: 'LLDDDDDDD',
    MK: 'LDDDDDDD',
    SO: 'PDDDDDDDD',
    AF: 'PDDDDDDDD',
    PK: 'LLDDDDDDD',
    UZ: 'LLDDDDDDD',
    TJ: 'DDDDDDDDD',
    '*': 'LLDDDDDDD',
  },
  IDENTITY_CARD: {
    NL: 'LLAAAAAAD',
    BE: 'DDD-DDDDDDD-DD',
    FR: 'AAAAAAAAA',
    DE: 'LCCCCCCCC',
    ES: 'DDDDDDDDL',
    IT: 'LLDDDDDLL',
    AT: 'DDDDDDDD',
    '*': 'LLLDDDDDD',
  },
  RESIDENCE_PERMIT: { NL: 'VDDDDDDDD', ES: 'YDDDDDDDL', FR: 'DDDDDDDDDD', DE: 'YCCCCCCCC', BE: 'BDDDDDDDDD', IT: 'LDDDDDDDD', '*': 'RLDDDDDDD' },
  DRIVING_LICENCE: { NL: 'DDDDDDDDDD', FR: 'DDLLDDDDDDDD', DE: 'LDDDLLLLLDD', '*': 'DDDDDDDDDD' },
  VISA: { '*': 'LLLDDDDDDDDD' },
};

const ALPHABETS: Record<string, string> = {
  L: 'ABCDEFGHJKLMNPRSTUVWXYZ',
  D: '0123456789',
  A: 'ABCDEFGHJKLMNPRSTUVWXYZ0123456789',
  C: 'CFGHJKLMNPRTVWXYZ0123456789',
};

/** A 32-bit integer hash (murmur3 finaliser), the round function of the permutation below. */
function mix(x: number, key: number): number {
  let h = Math.imul(x ^ key, 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A keyed bijection of [0, capacity): a 4-round Feistel network with cycle walking. */
function permute(value: number, capacity: number, key: number): number {
  let bits = Math.max(2, Math.ceil(Math.log2(capacity)));
  if (bits % 2 === 1) bits++;
  const half = 2 ** (bits / 2);
  let v = value;
  do {
    let left = Math.floor(v / half);
    let right = v % half;
    for (let round = 0; round < 4; round++) {
      const next = (left ^ (mix(right, key + round) % half)) >>> 0;
      left = right;
      right = next;
    }
    v = left * half + right;
  } while (v >= capacity);
  return v;
}

/**
 * Unique document numbers without a lookup table: every (state, n) pair of one format maps to its
 * own slot, shuffled over the format's space by a keyed permutation, then written in the format.
 * Numbers generated for different member states never collide, so a shared number is always a
 * deliberate cross-state link (the SHARED_SUBJECTS).
 */
export class DocumentNumbers {
  private readonly counters = new Map<string, number>();
  private readonly capacities = new Map<string, number>();
  private readonly used = new Set<string>();
  constructor(
    private readonly stateIndex: number,
    reserved: Iterable<string>,
  ) {
    for (const number of reserved) this.used.add(documentNumberKey(number));
  }
  next(format: string): string {
    let capacity = this.capacities.get(format);
    if (capacity === undefined) {
      capacity = [...format].reduce((product, ch) => product * (ALPHABETS[ch]?.length ?? 1), 1);
      this.capacities.set(format, capacity);
    }
    const key = hashSeed(format);
    for (;;) {
      const n = this.counters.get(format) ?? 0;
      this.counters.set(format, n + 1);
      let value = permute((this.stateIndex + MEMBER_STATES.length * n) % capacity, capacity, key);
      let number = '';
      for (let i = format.length - 1; i >= 0; i--) {
        const alphabet = ALPHABETS[format[i]];
        if (!alphabet) {
          number = format[i] + number;
          continue;
        }
        number = alphabet[value % alphabet.length] + number;
        value = Math.floor(value / alphabet.length);
      }
      const numberKey = documentNumberKey(number);
      if (!this.used.has(numberKey)) {
        this.used.add(numberKey);
        return number;
      }
    }
  }
}

export function docFormat(kind: DocumentKind, issuingState: string): string {
  const formats = DOC_FORMATS[kind];
  return formats[issuingState] ?? formats['*'];
}

export function fillPattern(rng: Random, pattern: string): string {
  let text = '';
  for (const ch of pattern) text += ch === 'L' ? ALPHABETS.L[rng.int(0, ALPHABETS.L.length - 1)] : ch === 'D' ? String(rng.int(0, 9)) : ch;
  return text;
}
