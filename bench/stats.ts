/** Statistics the benchmarks share. */

/** The median (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Neighbouring rounds resampled together: the machine's speed drifts over several seconds here. */
const BOOTSTRAP_BLOCK_ROUNDS = 5;
const BOOTSTRAP_SAMPLES = 2000;

/**
 * A 90 % interval for the median of per-round values (in round order), by a moving-block
 * bootstrap: the median of the rounds drawn again, with replacement, in blocks of
 * BOOTSTRAP_BLOCK_ROUNDS neighbouring rounds (single rounds would understate the spread, since
 * neighbouring rounds' noise is correlated: 0.55-0.62 one round apart, 0.23-0.33 five apart, in
 * two runs of this script). It says how far another run on the same machine state may land; it
 * cannot see the machine's speed changing between runs. The draws are seeded, so the same rounds
 * give the same interval.
 */
export function medianInterval(values: readonly number[]): [number, number] {
  let state = 0x2545f491;
  // xorshift32: small, fast and good enough to pick blocks.
  const random = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
  // At least two blocks' worth of rounds: a block as long as the series would redraw it whole
  // every time and give a zero-width interval.
  const block = Math.max(1, Math.min(BOOTSTRAP_BLOCK_ROUNDS, Math.floor(values.length / 2)));
  const medians: number[] = [];
  for (let draw = 0; draw < BOOTSTRAP_SAMPLES; draw++) {
    const sample: number[] = [];
    while (sample.length < values.length) {
      const start = Math.floor(random() * (values.length - block + 1));
      for (let i = start; i < start + block && sample.length < values.length; i++) sample.push(values[i]);
    }
    medians.push(median(sample));
  }
  medians.sort((a, b) => a - b);
  return [medians[Math.floor(BOOTSTRAP_SAMPLES * 0.05)], medians[Math.ceil(BOOTSTRAP_SAMPLES * 0.95) - 1]];
}
