import { issueDevToken } from '../common/dev-identity.ts';
import { MEMBER_STATE_NAMES, type MemberState } from '../common/member-states.ts';
import type { Clearance } from '../common/caller.ts';
import type { ExplorerPersona } from './explorer.ts';

/** The kinds of caller the demo offers for every state: what an analyst, an FIU officer and a border guard may see differs. */
export const PERSONA_KINDS: ReadonlyArray<{ id: string; label: string; roles: string[]; clearance: Clearance; scopes: string[]; only?: MemberState[] }> = [
  { id: 'analyst', label: 'CT analyst', roles: ['analyst'], clearance: 'SECRET', scopes: ['financial:read'] },
  { id: 'fiu', label: 'FIU officer', roles: ['fiu'], clearance: 'CONFIDENTIAL', scopes: ['financial:read'] },
  { id: 'border', label: 'border guard', roles: ['border-guard'], clearance: 'RESTRICTED', scopes: [] },
  // The one who reads the hits partners made on the state's flagged records (hitNotifications, the
  // explorer's Inbox): NL's demo policy flags records (config/policies/NL.yaml notifyOnHits).
  { id: 'duty', label: 'duty officer', roles: ['duty', 'analyst'], clearance: 'SECRET', scopes: [], only: ['NL'] },
];

/**
 * The caller a persona id (`BE-analyst`, `NL-duty`) stands for, in words, e.g. "BE CT analyst (role
 * analyst, clearance SECRET, scope financial:read)": what a production caller needs to see what the
 * persona sees. Undefined for an id the demo does not offer.
 */
export function describePersona(id: string): string | undefined {
  const [state, kindId] = id.split('-');
  const kind = PERSONA_KINDS.find((k) => k.id === kindId);
  if (!kind || !(state in MEMBER_STATE_NAMES) || (kind.only && !kind.only.includes(state as MemberState))) return undefined;
  const plural = (word: string, items: readonly string[]) => `${word}${items.length === 1 ? '' : 's'} ${items.join(', ')}`;
  const scopes = kind.scopes.length ? `, ${plural('scope', kind.scopes)}` : '';
  return `${state} ${kind.label} (${plural('role', kind.roles)}, clearance ${kind.clearance}${scopes})`;
}

/**
 * Dev mode only: the explorer's personas, each with a fresh token of its state's dev identity
 * provider (the same keys `hague token` uses).
 */
export function devPersonas(states: MemberState[], keysDir: string): () => Promise<ExplorerPersona[]> {
  return async () =>
    Promise.all(
      states.flatMap((state) =>
        PERSONA_KINDS.filter((kind) => !kind.only || kind.only.includes(state)).map(async (kind) => ({
          id: `${state}-${kind.id}`,
          label: `${state} ${kind.label} · ${kind.clearance}`,
          state,
          roles: kind.roles,
          clearance: kind.clearance,
          scopes: kind.scopes,
          token: await issueDevToken({
            state,
            roles: kind.roles,
            clearance: kind.clearance,
            scopes: kind.scopes,
            agency: `${MEMBER_STATE_NAMES[state]} (demo)`,
            subject: `demo-${state.toLowerCase()}-${kind.id}`,
            ttlSeconds: 12 * 3600,
            keysDir,
          }),
        })),
      ),
    );
}
