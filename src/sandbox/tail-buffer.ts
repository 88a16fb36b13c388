/**
 * The lines of one invocation, of which only the last few KB are ever needed (X-Amz-Log-Result is the last
 * 4 KB): older lines are dropped once enough newer ones are held, so a chatty function cannot grow it unbounded.
 */
export class TailBuffer {
  private items: string[] = [];
  private bytes = 0;

  constructor(private readonly keepBytes = 4096) {}

  push(line: string): void {
    this.items.push(line);
    this.bytes += Buffer.byteLength(line) + 1;
    // Trim in batches (amortised O(1)), keeping at least keepBytes of the newest lines.
    if (this.bytes > this.keepBytes * 4 && this.items.length > 1) {
      let drop = 0;
      let remaining = this.bytes;
      while (drop < this.items.length - 1) {
        const size = Buffer.byteLength(this.items[drop]!) + 1;
        if (remaining - size < this.keepBytes) break;
        remaining -= size;
        drop++;
      }
      this.items.splice(0, drop);
      this.bytes = remaining;
    }
  }

  lines(): string[] {
    return this.items;
  }
}
