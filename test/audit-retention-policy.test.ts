import { describe, expect, it } from 'vitest';
import { parseReleasePolicy } from '../subgraphs/member/release-policy.ts';

/** The release policy's `auditRetention`: how long the state's audit log keeps entries. */
describe('release policy auditRetention', () => {
  const policy = (retention: string) => parseReleasePolicy(`memberState: NL\ndefaultTier: HIT\n${retention}`, 'NL.yaml', 'NL');
  const day = 86_400_000;

  it('reads days, weeks and years (365 days); absent means the default', () => {
    expect(policy('auditRetention: 3y').auditRetentionMs).toBe(3 * 365 * day);
    expect(policy('auditRetention: 180d').auditRetentionMs).toBe(180 * day);
    expect(policy('auditRetention: 26w').auditRetentionMs).toBe(26 * 7 * day);
    expect(policy('').auditRetentionMs).toBeUndefined();
  });

  it('refuses anything else with file:line', () => {
    for (const bad of ['3', '0d', '3 years', '-1y', '1.5y', '3m']) {
      expect(() => policy(`auditRetention: ${bad}`)).toThrow(
        /^NL\.yaml:3: auditRetention: .* is not a retention; expected a whole number of days, weeks or years/,
      );
    }
  });
});
