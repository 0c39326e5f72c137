/**
 * The defaults a person would look for in one place: ports, folders and time budgets that the CLI,
 * the gateway and the members share. Change one here and every command's --help follows.
 */

/** Gateway port of `hague dev` and `hague gateway`. */
export const DEFAULT_GATEWAY_PORT = 4000;
/** First member state's port in `hague dev` (the others follow); also `hague member`'s default. */
export const DEFAULT_FIRST_MEMBER_PORT = 4101;
/** Where dev mode keeps its SQLite files (<dir>/<STATE>.db) and its keys. */
export const DEFAULT_DATA_DIR = '.hague/data';
export const DEFAULT_KEYS_DIR = '.hague/keys';
/** Folder of the release policies, <dir>/<STATE>.yaml. */
export const DEFAULT_POLICIES_DIR = 'config/policies';
/** How long the gateway waits for one member state, unless members.yaml says otherwise. */
export const DEFAULT_MEMBER_TIMEOUT_MS = 2000;
/** How long the gateway waits for a subgraph other than the member states. */
export const DEFAULT_SUBGRAPH_TIMEOUT_MS = 5000;
/** Persons seeded per state by `hague dev` and `hague seed`. */
export const DEFAULT_DEMO_PERSONS = 1000;
/** Gateway rate limits (members.yaml gateway.rateLimit): GraphQL requests one caller (state + token subject) may send per window. */
export const DEFAULT_RATE_LIMIT_PER_CALLER = 300;
/** Requests one caller may have in flight at once at one gateway: a burst waits its turn, others' requests do not. */
export const DEFAULT_RATE_LIMIT_CONCURRENT_PER_CALLER = 4;
/** Requests refused before authentication (no or bad token, no purpose) one client address may send per window; then 429 until the window ends. */
export const DEFAULT_RATE_LIMIT_REFUSED_PER_ADDRESS = 1200;
/** The rate-limit window. */
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;
/** Largest answer a member state sends (bytes of JSON); a larger one is withheld whole (QUERY_TOO_COMPLEX). */
export const DEFAULT_MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** How long audit log entries are kept before they expire behind a signed anchor (release policy `auditRetention`): three years. */
export const DEFAULT_AUDIT_RETENTION_MS = 3 * 365 * 86_400_000;
