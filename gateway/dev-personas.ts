import { issueDevToken } from '../common/dev-identity.ts';
import { MEMBER_STATE_NAMES, type MemberState } from '../common/member-states.ts';
import type { Clearance } from '../common/caller.ts';
import type { ExplorerPersona } from './explorer.ts';

/** The kinds of caller the demo offers for every state: what an analyst, an FIU officer and a border guard may see differs. */
const KINDS: Array<{ id: string; label: string; roles: string[]; clearance: Clearance; scopes: string[]; only?: MemberState[] }> = [
  { id: 'analyst', label: 'CT analyst', roles: ['analyst'], clearance: 'SECRET', scopes: ['financial:read'] },
  { id: 'fiu', label: 'FIU officer', roles: ['fiu'], clearance: 'CONFIDENTIAL', scopes: ['financial:read'] },
  { id: 'border', label: 'border guard', roles: ['border-guard'], clearance: 'RESTRICTED', scopes: [] },
  // The one who reads the hits partners made on the state's flagged records (hitNotifications, the
  // explorer's Inbox): NL's demo policy flags records (config/policies/NL.yaml notifyOnHits).
  { id: 'duty', label: 'duty officer', roles: ['duty', 'analyst'], clearance: 'SECRET', scopes: [], only: ['NL'] },
];

/**
 * Dev mode only: the explorer's personas, each with a fresh token of its state's dev identity
 * provider (the same keys `hague token` uses).
 */
export function devPersonas(states: MemberState[], keysDir: string): () => Promise<ExplorerPersona[]> {
  return async () =>
    Promise.all(
      states.flatMap((state) =>
        KINDS.filter((kind) => !kind.only || kind.only.includes(state)).map(async (kind) => ({
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
