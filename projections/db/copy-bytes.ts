/**
 * Lines of COPY text written as bytes, for bulk loads that take parts of stored messages as they are (no text is
 * made of them). The lines share large slabs; each line handed out is a view into one.
 */

/** Most bytes of a slab; a line longer than that gets a slab of its own size. */
const SLAB = 256 * 1024;

const BACKSLASH = 92;
/** The escape letter of the bytes COPY's text format escapes (backslash, tab, newline, carriage return), else 0. */
const ESCAPE = new Uint8Array(256);
ESCAPE[BACKSLASH] = BACKSLASH;
ESCAPE[9] = 116; // t
ESCAPE[10] = 110; // n
ESCAPE[13] = 114; // r

export class CopyLineWriter {
  private slab = Buffer.allocUnsafe(SLAB);
  /** Where the line being written starts. */
  private start = 0;
  private at = 0;

  /** Makes room for `n` more bytes, moving the line begun so far to a new slab when this one is full. */
  private room(n: number): void {
    if (this.at + n <= this.slab.length) return;
    const begun = this.at - this.start;
    const next = Buffer.allocUnsafe(Math.max(SLAB, 2 * (begun + n)));
    this.slab.copy(next, 0, this.start, this.at);
    this.slab = next;
    this.start = 0;
    this.at = begun;
  }

  /** Appends `src[from, to)` as it is (for bytes known to need no escaping). */
  raw(src: Uint8Array, from: number, to: number): this {
    this.room(to - from);
    const slab = this.slab;
    let at = this.at;
    for (let i = from; i < to; i++) slab[at++] = src[i] as number;
    this.at = at;
    return this;
  }

  /** Appends `src[from, to)` as one field's text: backslash, tab, newline and carriage return escaped. */
  field(src: Uint8Array, from: number, to: number): this {
    this.room(2 * (to - from));
    const slab = this.slab;
    let at = this.at;
    for (let i = from; i < to; i++) {
      const c = src[i] as number;
      const e = ESCAPE[c] as number;
      if (e !== 0) {
        slab[at++] = BACKSLASH;
        slab[at++] = e;
      } else slab[at++] = c;
    }
    this.at = at;
    return this;
  }

  /** Appends one byte (a separator: tab or newline). */
  byte(c: number): this {
    this.room(1);
    this.slab[this.at++] = c;
    return this;
  }

  /** The line written since the last `end`, as a view into the slab. */
  end(): Buffer {
    const line = this.slab.subarray(this.start, this.at);
    this.start = this.at;
    return line;
  }
}

/** Joins lines into one buffer, text lines encoded as UTF-8. */
export function joinLines(lines: readonly (string | Uint8Array)[]): Buffer {
  return Buffer.concat(lines.map((l) => (typeof l === "string" ? Buffer.from(l) : l)));
}
