import { type ChildProcess, spawn } from 'node:child_process';
import { LogTail } from './log-tail.js';

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A child process whose output tail is kept and which can be stopped politely, then firmly. */
export class ManagedProcess {
  readonly log = new LogTail(60);
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => this.log.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => this.log.push(chunk));
    this.exited = new Promise((resolve) => {
      child.on('error', (error) => {
        this.log.push(`${error.message}\n`);
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  static start(name: string, file: string, args: readonly string[], cwd: string): ManagedProcess {
    return new ManagedProcess(name, spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exit !== undefined;
  }

  describeExit(): string {
    if (!this.exit) return `${this.name} is running`;
    if (this.exit.signal) return `${this.name} was ended by ${this.exit.signal}`;
    return `${this.name} exited with code ${this.exit.code}`;
  }

  /** SIGTERM, and SIGKILL if it has not ended after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    if (this.exit) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** For exit handlers, which cannot wait. */
  killNow(): void {
    if (!this.exit) this.child.kill('SIGKILL');
  }
}
