/*
 * The hypervisor console: a bounded ring of lines (`tsxen dmesg`), with an optional
 * live sink. Old lines fall off the front; nothing blocks on a slow reader.
 */

export class ConsoleLog {
  private readonly lines: string[] = [];

  constructor(private readonly capacity: number, private readonly sink?: (line: string) => void) {}

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    this.sink?.(line);
  }

  /** The retained lines, oldest first. */
  snapshot(): string[] {
    return [...this.lines];
  }

  clear(): void {
    this.lines.length = 0;
  }
}
