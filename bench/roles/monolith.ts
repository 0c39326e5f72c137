/** Bench role: the monolith (comparison d) in its own process; see bench/monolith/server.ts. */
import type { IncomingMessage } from 'node:http';
import { startMonolith, type Casefile } from '../monolith/server.ts';
import type { MemberState } from '../../common/member-states.ts';
import { serveParent } from '../child.ts';

let close: (() => Promise<void>) | undefined;
let requests = 0;

serveParent({
  start: async (m) => {
    const monolith = await startMonolith({ database: m.database as string, states: m.states as MemberState[], casefiles: m.casefiles as Casefile[] });
    monolith.app.server.prependListener('request', (req: IncomingMessage) => {
      if (req.method === 'POST') requests++;
    });
    close = () => monolith.close();
    return { url: monolith.url };
  },
  counters: () => ({ requests }),
  stop: async () => {
    await close?.();
  },
});
process.send?.({ type: 'ready' });
