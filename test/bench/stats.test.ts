import { median, medianInterval } from '../../bench/stats';

describe('bench statistics', () => {
  test('median of odd and even counts, whatever the order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  test('the interval of identical rounds is that value', () => {
    expect(medianInterval(Array(41).fill(0.93))).toEqual([0.93, 0.93]);
  });

  test('a short series still gets an interval of its spread, not its one median', () => {
    const [low, high] = medianInterval([0.8, 0.9, 1.0]);
    expect(low).toBeLessThan(0.9);
    expect(high).toBeGreaterThan(0.9);
  });

  test('the interval brackets the median, is reproducible, and narrows with more rounds', () => {
    // Rounds around 0.93 with a spread like the benchmark's (±0.2), from a fixed sequence.
    const rounds = (count: number): number[] => Array.from({ length: count }, (_, i) => 0.93 + 0.2 * Math.sin(i * 2.399963));
    const [low41, high41] = medianInterval(rounds(41));
    expect(low41).toBeLessThan(median(rounds(41)));
    expect(high41).toBeGreaterThan(median(rounds(41)));
    expect(medianInterval(rounds(41))).toEqual([low41, high41]);
    const [low161, high161] = medianInterval(rounds(161));
    expect(high161 - low161).toBeLessThan(high41 - low41);
  });
});
