/** CloudWatch's largest event; longer lines are split. */
const MAX_LINE_BYTES = 256 * 1024;

/** Turns a byte stream into complete lines (without the newline); `end()` releases a final partial line. */
export class LineSplitter {
  private partial: Buffer[] = [];
  private partialBytes = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      if (this.partialBytes > 0) {
        this.partial.push(piece);
        this.emit(Buffer.concat(this.partial));
        this.partial = [];
        this.partialBytes = 0;
      } else {
        this.emit(piece);
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.partial.push(rest);
      this.partialBytes += rest.length;
      if (this.partialBytes >= MAX_LINE_BYTES) this.end();
    }
  }

  end(): void {
    if (this.partialBytes === 0) return;
    const all = Buffer.concat(this.partial);
    this.partial = [];
    this.partialBytes = 0;
    this.emit(all);
  }

  private emit(bytes: Buffer): void {
    for (let i = 0; i < bytes.length || i === 0; i += MAX_LINE_BYTES) {
      this.onLine(bytes.subarray(i, i + MAX_LINE_BYTES).toString('utf8'));
      if (bytes.length === 0) break;
    }
  }
}
