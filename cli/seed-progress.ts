import cliProgress from 'cli-progress';

/** Seeds smaller than this show a bar only on a terminal (a log gets a line every 5 s from this size on). */
const PROGRESS_ALWAYS_FROM = 2_000;

/**
 * The progress bar of a seed on stderr (`hague seed`, and `hague dev` on its first start): on a
 * terminal always, in a log (no TTY) for large seeds only, as a line every 5 s. Undefined: no bar.
 */
export function seedProgressBar(state: string, persons: number): cliProgress.SingleBar | undefined {
  if (!process.stderr.isTTY && persons < PROGRESS_ALWAYS_FROM) return undefined;
  return new cliProgress.SingleBar(
    {
      format: `seeding ${state} [{bar}] {percentage}% | {value}/{total} persons | {duration_formatted}`,
      stream: process.stderr,
      hideCursor: process.stderr.isTTY ? true : null,
      noTTYOutput: !process.stderr.isTTY,
      notTTYSchedule: 5_000,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
}
