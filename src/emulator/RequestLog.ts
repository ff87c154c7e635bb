import type { RequestLogEntry } from './types';

const REQUEST_LOG_LIMIT = 50_000;

/** The emulator's last 50 000 requests, oldest first, for tests and benchmarks to count. */
export class RequestLog {
  private log: RequestLogEntry[] = [];
  private next = 0;

  record(entry: RequestLogEntry): void {
    if (this.log.length < REQUEST_LOG_LIMIT) {
      this.log.push(entry);
    } else {
      this.log[this.next] = entry;
      this.next = (this.next + 1) % REQUEST_LOG_LIMIT;
    }
  }

  entries(): RequestLogEntry[] {
    if (this.log.length < REQUEST_LOG_LIMIT) return this.log.map((e) => ({ ...e }));
    return [...this.log.slice(this.next), ...this.log.slice(0, this.next)].map((e) => ({ ...e }));
  }

  clear(): void {
    this.log = [];
    this.next = 0;
  }
}
