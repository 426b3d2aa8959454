/**
 * Routes a notification to a secondary route when the primary cannot take it: the circuit is open,
 * or the primary's answer (after its own retries) is still a retryable failure. The secondary is
 * any Dispatch — another origin of the same provider, or an HTTP/1.1 webhook sink — with its own
 * interceptors. The context records the route, so outcomes and reports show which path delivered.
 *
 * Not routed: permanent and config rejections (another route would say the same), expired
 * requests, what pushsim ended itself (queue full, closed, the run's `shutdown`), and results the primary may have processed unless `allowMaybeProcessed` (a duplicate
 * risk, like any retry).
 */
import type { RetryClass } from '../../core/reasons.js';
import type { Dispatch, Interceptor, TransportResult } from '../transport.js';

export interface FallbackOptions {
  /** Name recorded in the context and outcomes. */
  readonly name: string;
  readonly to: Dispatch;
  readonly classify: (result: TransportResult) => RetryClass | undefined;
  /** Also fall back after failures the primary may have processed. @default true */
  readonly allowMaybeProcessed?: boolean;
  readonly onFallback?: (cause: string) => void;
}

export function fallback(options: FallbackOptions): Interceptor {
  const maybe = options.allowMaybeProcessed ?? true;
  const cause = (result: TransportResult): string | undefined => {
    if (result.ok) return options.classify(result) === 'retryable' ? `HTTP ${result.status}` : undefined;
    if (result.kind === 'expired' || result.kind === 'queue-full' || result.kind === 'closed' || result.kind === 'shutdown') return undefined;
    return result.unprocessed || maybe ? result.kind : undefined;
  };
  return (next) => async (request, context) => {
    const result = await next(request, context);
    const why = cause(result);
    if (why === undefined) return result;
    options.onFallback?.(why);
    context.route = options.name;
    return options.to(request, context);
  };
}
