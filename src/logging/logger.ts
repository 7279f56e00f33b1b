import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { activeTraceIds } from '../tracing/trace-ids';

/**
 * Structured JSON-lines logger shared by every Ferje process, compatible with Temporal's `Logger` interface so the
 * SDK's own log lines (workflow `log`, activity context) come out in the same format.
 *
 * Rule for callers: attributes are identifiers and counts (workflow IDs, HTTP statuses, sizes), never request bodies,
 * personal numbers, e-mail addresses or document names.
 */
export type Logger = TemporalLogger & { child(component: string): Logger };

const ORDER: Record<LogLevel, number> = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4 };

export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => process.stderr.write(`${line}\n`);

/** Whether a logger set to `threshold` writes lines of `level`. */
export function logsAt(threshold: LogLevel, level: LogLevel): boolean {
  return ORDER[level] >= ORDER[threshold];
}

export function parseLogLevel(raw: string | undefined, fallback: LogLevel = 'INFO'): LogLevel {
  const upper = (raw ?? '').toUpperCase();
  return upper in ORDER ? (upper as LogLevel) : fallback;
}

export function createLogger(
  component: string,
  level: LogLevel = parseLogLevel(process.env.FERJE_LOG_LEVEL),
  sink: LogSink = stderrSink,
): Logger {
  const log = (lvl: LogLevel, message: string, meta?: LogMetadata): void => {
    if (!logsAt(level, lvl)) return;
    // The active span's ids (an activity, a client call) join a log line to its trace; metadata may override them.
    const entry: Record<string, unknown> = {
      ts: new Date().toISOString(),
      level: lvl,
      component,
      msg: message,
      ...activeTraceIds(),
    };
    if (meta) {
      for (const [key, value] of Object.entries(meta)) {
        entry[key] = value instanceof Error ? { name: value.name, message: value.message } : value;
      }
    }
    sink(safeStringify(entry));
  };
  return {
    log,
    trace: (m, meta) => log('TRACE', m, meta),
    debug: (m, meta) => log('DEBUG', m, meta),
    info: (m, meta) => log('INFO', m, meta),
    warn: (m, meta) => log('WARN', m, meta),
    error: (m, meta) => log('ERROR', m, meta),
    child: (sub) => createLogger(`${component}.${sub}`, level, sink),
  };
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return JSON.stringify({ level: 'ERROR', msg: 'unserialisable log entry' });
  }
}
