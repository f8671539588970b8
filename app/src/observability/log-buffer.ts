/**
 * A growable byte buffer that log lines are written into as bytes (and the `/metrics` text, in
 * series-metrics.ts).
 *
 * The access line is written on every request. Building it as a string costs more than its
 * characters: each `+` makes a rope node, the rope is copied flat when it is written, and lines
 * waiting for the next flush survive young-generation GCs and get promoted. A CPU profile of the
 * service under load (perf, `npm run bench:app` traffic) put flattening alone at ~0.5 µs per
 * request. Appending the parts' bytes here instead leaves no garbage per line: constant parts are
 * kept as bytes, numbers are written digit by digit.
 */

/** Bytes of `text` as UTF-8 (kept by callers for parts that repeat from line to line). */
export function utf8Bytes(text: string): Uint8Array {
  return Buffer.from(text, 'utf8');
}

const DOT = 0x2e;
const ZERO = 0x30;

/** An append-only byte buffer; {@link take} hands its bytes over and starts a new one. */
export class LogBuffer {
  private bytes: Buffer;
  /** A backing buffer handed back by {@link recycle}, used by the next {@link take}. */
  private spare: Buffer | undefined;
  /** Bytes written so far. */
  length = 0;

  constructor(private readonly initialCapacity = 32 * 1024) {
    this.bytes = Buffer.allocUnsafeSlow(initialCapacity);
  }

  /** Appends bytes kept from earlier (constant or cached parts of a line). */
  appendBytes(part: Uint8Array): void {
    this.reserve(part.length);
    this.bytes.set(part, this.length);
    this.length += part.length;
  }

  /**
   * Appends a string of ASCII characters only (U+0000–U+007F), one byte each; callers guarantee
   * it (request ids match REQUEST_ID_PATTERN or are UUIDs). The Latin-1 encoder copies such a
   * string as it is: ~45 ns for a UUID here, against ~80 ns for a charCodeAt loop.
   */
  appendAscii(text: string): void {
    this.reserve(text.length);
    this.length += this.bytes.write(text, this.length, 'latin1');
  }

  /** Appends any string as UTF-8. */
  appendUtf8(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair: 4 bytes for 2 units).
    this.reserve(text.length * 3);
    this.length += this.bytes.write(text, this.length, 'utf8');
  }

  /** Appends one byte (an ASCII character code). */
  appendByte(byte: number): void {
    this.reserve(1);
    this.bytes[this.length++] = byte;
  }

  /** Appends a non-negative safe integer in decimal, as `String(value)` writes it. */
  appendUint(value: number): void {
    let digits = 1;
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
    this.reserve(digits);
    let at = this.length + digits;
    this.length = at;
    let rest = value;
    do {
      const next = Math.floor(rest / 10);
      this.bytes[--at] = ZERO + (rest - next * 10);
      rest = next;
    } while (rest > 0);
  }

  /** Appends an integer 0–999 as three digits, zero-padded (`007`). */
  appendPadded3(value: number): void {
    this.reserve(3);
    const bytes = this.bytes;
    const hundreds = Math.floor(value / 100);
    const tens = Math.floor(value / 10) - hundreds * 10;
    bytes[this.length] = ZERO + hundreds;
    bytes[this.length + 1] = ZERO + tens;
    bytes[this.length + 2] = ZERO + (value % 10);
    this.length += 3;
  }

  /**
   * Appends `thousandths` (an integer 0–999) as the decimals JSON writes after the point:
   * nothing for 0, otherwise `.` and up to three digits without trailing zeros (`.5`, `.05`, `.125`).
   */
  appendThousandths(thousandths: number): void {
    if (thousandths === 0) return;
    this.appendByte(DOT);
    this.appendPadded3(thousandths);
    // Not 0, so at most two of the three digits are trailing zeros.
    while (this.bytes[this.length - 1] === ZERO) this.length--;
  }

  /** The bytes written so far as text (tests, and transports that take strings). */
  toString(): string {
    return this.bytes.toString('utf8', 0, this.length);
  }

  /**
   * The bytes written so far, not copied: for a buffer that is written once and then dropped (a
   * scrape's text). They share this buffer's memory: a later append or clear() may overwrite them.
   */
  written(): Buffer {
    return this.bytes.subarray(0, this.length);
  }

  /**
   * Hands over the bytes written so far and starts again on a new backing buffer, so the caller
   * may pass them to an asynchronous write and keep appending.
   */
  take(): Buffer {
    const written = this.bytes.subarray(0, this.length);
    this.bytes = this.spare ?? Buffer.allocUnsafeSlow(this.initialCapacity);
    this.spare = undefined;
    this.length = 0;
    return written;
  }

  /**
   * Gives back bytes from {@link take} once nothing reads them any more (a synchronous write
   * returned), so the next take() reuses their backing buffer instead of allocating one.
   * Anything else (a slice, a buffer that grew) is left to the GC.
   */
  recycle(taken: Buffer): void {
    if (taken.byteOffset === 0 && taken.buffer.byteLength === this.initialCapacity) this.spare = Buffer.from(taken.buffer);
  }

  /** Drops what was written, keeping the backing buffer. */
  clear(): void {
    this.length = 0;
  }

  private reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.length + count));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
  }
}
