import type { Step } from '../context.js';
import { isGatewayError } from '../errors/gateway-error.js';
import { publicCode } from '../errors/codes.js';
import { SPAN_KIND_INTERNAL, SPAN_STATUS_ERROR } from './tracing/span-constants.js';
import type { Tracing } from './tracing/tracing.js';

export interface AuthorizeInstrumentation {
  /** Adds a `gatehouse.authorize` span (child of the request's span) with the outcome code. */
  readonly tracing: Tracing | undefined;
  /** Records `authMs` on the request's log for the Server-Timing header. */
  readonly timed: boolean;
}

/**
 * Wraps a route's authorization step with a span and/or a timer, decided at compile time: a
 * route compiled without either gets the bare step. The step ends when it hands over to the
 * rest of the route (`next`), or when it refuses — a failure after `next` belongs to later steps.
 */
export function instrumentAuthorizeStep(
  step: Step,
  authorizer: string,
  { tracing, timed }: AuthorizeInstrumentation,
): Step {
  if (!tracing && !timed) return step;
  return (ctx, next) => {
    const started = timed ? performance.now() : 0;
    const span = tracing?.startSpan(ctx.trace, 'gatehouse.authorize', SPAN_KIND_INTERNAL, {
      'gatehouse.authorizer': authorizer,
    });
    let done = false;
    const finish = (error?: unknown): void => {
      if (done) return;
      done = true;
      if (timed) ctx.log.authMs = Math.round((performance.now() - started) * 100) / 100;
      if (span) {
        const outcome = error === undefined ? 'ok' : isGatewayError(error) ? publicCode(error.code) : 'error';
        span.setAttribute('gatehouse.auth.outcome', outcome);
        if (error !== undefined) span.setStatus({ code: SPAN_STATUS_ERROR, message: outcome });
        span.end();
      }
    };
    let result: ReturnType<Step>;
    try {
      result = step(ctx, (inner) => {
        finish();
        return next(inner);
      });
    } catch (error) {
      finish(error);
      throw error;
    }
    if (result instanceof Promise) {
      return result.catch((error: unknown) => {
        finish(error);
        throw error;
      });
    }
    finish();
    return result;
  };
}
