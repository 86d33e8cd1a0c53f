/** Keeps the last lines of a process's output, for error messages that show what went wrong. */
export class LogTail {
  private readonly lines: string[] = [];
  private partial = '';

  constructor(private readonly maxLines = 40) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      if (this.lines.length > this.maxLines) this.lines.shift();
    }
  }

  text(): string {
    return [...this.lines, ...(this.partial ? [this.partial] : [])].slice(-this.maxLines).join('\n');
  }

  includes(fragment: string): boolean {
    return this.text().includes(fragment);
  }
}
