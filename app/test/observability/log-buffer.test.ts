import { LogBuffer, utf8Bytes } from '../../src/observability/log-buffer';

function written(fill: (buffer: LogBuffer) => void, capacity?: number): string {
  const buffer = new LogBuffer(capacity);
  fill(buffer);
  return buffer.toString();
}

describe('LogBuffer', () => {
  test('integers are written as String() writes them', () => {
    const values = [0, 1, 9, 10, 99, 100, 101, 999, 1000, 65535, 123456789, 1e15 - 1, Number.MAX_SAFE_INTEGER];
    for (const value of values) expect(written((buffer) => buffer.appendUint(value))).toBe(String(value));
  });

  test('thousandths are written as the decimals JSON writes after the point, for every value', () => {
    for (let thousandths = 0; thousandths < 1000; thousandths++) {
      const expected = thousandths === 0 ? '' : String(thousandths / 1000).slice(1);
      expect(written((buffer) => buffer.appendThousandths(thousandths))).toBe(expected);
    }
  });

  test('0-999 are written as three digits, zero-padded, for every value', () => {
    for (let value = 0; value < 1000; value++) expect(written((buffer) => buffer.appendPadded3(value))).toBe(String(value).padStart(3, '0'));
  });

  test('ASCII, UTF-8 and kept bytes are appended in order, growing past the initial capacity', () => {
    const parts = ['{"a":', 'é€😀', 'req-0123456789', '}'];
    const text = written((buffer) => {
      for (let i = 0; i < 2000; i++) {
        buffer.appendBytes(utf8Bytes(parts[0]));
        buffer.appendUtf8(parts[1]);
        buffer.appendAscii(parts[2]);
        buffer.appendByte(0x7d);
      }
    }, 16);
    expect(text).toBe(parts.join('').repeat(2000));
  });

  test('take() hands over what was written; later appends go to a new buffer', () => {
    const buffer = new LogBuffer(64);
    buffer.appendAscii('first line\n');
    const taken = buffer.take();
    expect(buffer.length).toBe(0);
    buffer.appendAscii('second line, longer than the first\n');
    expect(taken.toString()).toBe('first line\n');
    expect(buffer.toString()).toBe('second line, longer than the first\n');
    buffer.clear();
    expect(buffer.toString()).toBe('');
  });

  test('a recycled buffer backs the lines after the next take(); a slice of one is not kept', () => {
    const buffer = new LogBuffer(64);
    const chunk = (text: string) => {
      buffer.appendAscii(text);
      return buffer.take();
    };
    const first = chunk('one\n');
    buffer.recycle(first);
    const second = chunk('two\n'); // written before the recycling took effect
    const third = chunk('three\n');
    expect(Object.is(third.buffer, first.buffer)).toBe(true);
    expect([second, third].map(String)).toEqual(['two\n', 'three\n']);
    buffer.recycle(second.subarray(1));
    chunk('four\n');
    const fifth = chunk('five\n');
    expect([first.buffer, second.buffer].some((used) => Object.is(fifth.buffer, used))).toBe(false);
  });
});
