import { base64url } from 'jose';
import type { RouteConfig } from '../../config/schema.js';
import type { Handler, RequestContext } from '../../context.js';
import { GatewayError } from '../../errors/gateway-error.js';
import { perAuthorizer, requireFlowAuthorizer } from '../identity/authorizer.js';
import { usesEnvironmentOnly } from '../identity/select.js';
import { DEFAULT_FLOW_TIMEOUT_MS, parseJsonObject, type ProviderResult } from '../identity/provider-call.js';
import { readJsonBody, stringField } from '../identity/request-body.js';
import type { IntegrationDefinition, IntegrationDeps } from '../definition.js';
import { createSupabaseAuthClient, type SupabaseAuthClient, type SupabaseAuthEndpoint } from './client.js';
import { readSupabaseEnvironment } from './environment.js';
import { providerErrorCode, providerMessage } from './provider-text.js';
import { ANSWER_STATUS } from '../../errors/statuses.js';

/**
 * The Supabase passwordless flows (docs/FLOWS.md "Supabase"), spoken over GoTrue's REST
 * protocol. Per request: environment → JSON body → required fields → exactly one provider call
 * → the documented answer. What differs per flow is only how fields become a provider request
 * and how its answer becomes ours, so each flow is a small definition run by one handler.
 */
interface ProviderRequest {
  readonly endpoint: SupabaseAuthEndpoint;
  readonly payload: Readonly<Record<string, unknown>>;
  /** The provider answered 2xx. */
  readonly succeeded: (text: string) => Response;
  /** The provider refused (4xx): throws the flow's catalogue error. */
  readonly refused: (text: string, detail: Record<string, unknown>) => never;
}

interface SupabaseFlow {
  readonly type: string;
  /** The provider request for these body fields; throws the client's error (a GatewayError). */
  prepare(body: Readonly<Record<string, unknown>>): ProviderRequest;
}

/** Field length caps: far above real values, low enough that nothing odd is forwarded. */
const MAX_EMAIL = 320;
const MAX_PHONE = 32;
const MAX_OTP = 64;

const passwordlessAuth: SupabaseFlow = {
  type: 'supabase_passwordless_auth',
  prepare(body) {
    const email = stringField(body, 'email', MAX_EMAIL);
    const phone = email === undefined ? stringField(body, 'phone', MAX_PHONE) : undefined;
    if (email === undefined && phone === undefined) throw new GatewayError('missing_email_or_phone');
    const refused = refusedToSend('SUPABASE_OTP_SEND_FAILED');
    // The body supabase-js `signInWithOtp` sends; create_user true is its default.
    return email !== undefined
      ? {
          endpoint: 'otp',
          payload: { email, create_user: true },
          succeeded: () => jsonMessage('Email OTP sent successfully'),
          refused,
        }
      : {
          endpoint: 'otp',
          payload: { phone, create_user: true, channel: 'sms' },
          succeeded: () => jsonMessage('SMS OTP sent successfully'),
          refused,
        };
  },
};

const passwordlessVerify: SupabaseFlow = {
  type: 'supabase_passwordless_verify',
  prepare(body) {
    const token = stringField(body, 'token', MAX_OTP);
    const email = stringField(body, 'email', MAX_EMAIL);
    const phone = email === undefined ? stringField(body, 'phone', MAX_PHONE) : undefined;
    if (token === undefined || (email === undefined && phone === undefined))
      throw new GatewayError('missing_token_or_contact');
    return {
      endpoint: 'verify',
      payload: email !== undefined ? { type: 'email', email, token } : { type: 'sms', phone, token },
      succeeded: sessionAnswer,
      refused: (_text, detail) => {
        throw new GatewayError('SUPABASE_OTP_VERIFY_FAILED', { detail });
      },
    };
  },
};

const passwordlessAuthAlt: SupabaseFlow = {
  type: 'supabase_passwordless_auth_alt',
  prepare(body) {
    const email = stringField(body, 'email', MAX_EMAIL);
    if (email === undefined) throw new GatewayError('missing_email');
    // GoTrue's sign-up needs a password; a random one nobody knows makes this an email-only
    // account whose confirmation mail is the login. It is never logged nor returned.
    const password = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
    return {
      endpoint: 'signup',
      payload: { email, password },
      succeeded: () => jsonMessage('Confirmation email sent successfully'),
      refused: refusedToSend('SUPABASE_OTP_ALT_FAILED'),
    };
  },
};

/** A refusal to send: the row (400) with GoTrue's own words, when it gave any. */
function refusedToSend(code: 'SUPABASE_OTP_SEND_FAILED' | 'SUPABASE_OTP_ALT_FAILED') {
  return (text: string, detail: Record<string, unknown>): never => {
    const message = providerMessage(text);
    throw new GatewayError(code, { detail, ...(message === undefined ? {} : { variation: { message } }) });
  };
}

function jsonMessage(message: string): Response {
  return new Response(JSON.stringify({ message }), {
    status: ANSWER_STATUS.flowSuccess,
    headers: { 'content-type': 'application/json' },
  });
}

/** `/verify` answers the session; without an access token it is not one. */
function sessionAnswer(text: string): Response {
  const session = parseJsonObject(text);
  if (typeof session?.access_token !== 'string') throw new GatewayError('SUPABASE_UPSTREAM_ERROR');
  return new Response(text, {
    status: ANSWER_STATUS.flowSuccess,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  });
}

/** One client per authorizer of a compiled config; undefined when the environment is incomplete. */
const clients = perAuthorizer<SupabaseAuthClient | undefined>();
/** Flows without a supabase authorizer (the environment only): one client per compiled config. */
const environmentClients = new WeakMap<
  IntegrationDeps,
  { readonly client: SupabaseAuthClient | undefined }
>();

function supabaseClient(route: RouteConfig, deps: IntegrationDeps): SupabaseAuthClient | undefined {
  if (usesEnvironmentOnly(deps.config, route)) {
    let entry = environmentClients.get(deps);
    if (!entry) {
      entry = { client: clientFromEnvironment(deps, DEFAULT_FLOW_TIMEOUT_MS) };
      environmentClients.set(deps, entry);
    }
    return entry.client;
  }
  const authorizer = requireFlowAuthorizer(route, deps, 'supabase');
  return clients(authorizer, () =>
    clientFromEnvironment(deps, authorizer.config.timeout_ms ?? DEFAULT_FLOW_TIMEOUT_MS),
  );
}

function clientFromEnvironment(deps: IntegrationDeps, timeoutMs: number): SupabaseAuthClient | undefined {
  const environment = readSupabaseEnvironment(deps.platform.env);
  if (!environment.ok) {
    deps.platform.logger.warn('supabase flows not configured', { reason: environment.problem });
    return undefined;
  }
  return createSupabaseAuthClient(environment, deps.platform, timeoutMs);
}

function createFlowFactory(flow: SupabaseFlow): (route: RouteConfig, deps: IntegrationDeps) => Handler {
  return (route, deps) => {
    const client = supabaseClient(route, deps);
    return async (ctx) => {
      // The body is checked before the environment, as in the Serverless API Gateway: `{}` is
      // 400 missing_email_or_phone even where SUPABASE_URL is not set.
      const body = await readJsonBody(ctx);
      if (body.kind === 'too_large') throw new GatewayError('ERR_PAYLOAD_TOO_LARGE');
      if (body.kind === 'invalid') throw new GatewayError('invalid_json');
      const request = flow.prepare(body.kind === 'object' ? body.value : {});
      if (!client) throw new GatewayError('SUPABASE_ENV_MISSING');
      const result = await client.post(request.endpoint, request.payload, ctx.signal);
      return toResponse(ctx, result, request);
    };
  };
}

function toResponse(ctx: RequestContext, result: ProviderResult, request: ProviderRequest): Response {
  if (result.kind === 'unreachable') {
    throw new GatewayError(result.timedOut ? 'SUPABASE_NETWORK_TIMEOUT' : 'SUPABASE_NETWORK_ERROR', {
      detail: { endpoint: request.endpoint, timedOut: result.timedOut, reason: result.reason },
    });
  }
  const detail = {
    endpoint: request.endpoint,
    providerStatus: result.status,
    ...(result.kind === 'answer' ? { providerCode: providerErrorCode(result.text) } : {}),
  };
  // docs/FLOWS.md: a provider error (4xx or 5xx) is the flow's own refusal (400 …_FAILED, or
  // 401 for verify); only answers that are not HTTP errors but still unusable (a redirect, an
  // oversized body) are SUPABASE_UPSTREAM_ERROR.
  if (result.kind === 'too_large' || (result.status >= 300 && result.status < 400)) {
    throw new GatewayError('SUPABASE_UPSTREAM_ERROR', { detail });
  }
  if (result.status < 300) {
    ctx.log.detail = detail;
    return request.succeeded(result.text);
  }
  return request.refused(result.text, detail);
}

export const createSupabasePasswordlessAuth = createFlowFactory(passwordlessAuth);
export const createSupabasePasswordlessVerify = createFlowFactory(passwordlessVerify);
export const createSupabasePasswordlessAuthAlt = createFlowFactory(passwordlessAuthAlt);

/** The Supabase flows need only the project's environment, not authorizer fields. */
const SUPABASE_FLOW = { provider: 'supabase', authorizerFields: [] } as const;

export const supabasePasswordlessAuthIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: SUPABASE_FLOW,
  create: createSupabasePasswordlessAuth,
};
export const supabasePasswordlessVerifyIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: SUPABASE_FLOW,
  create: createSupabasePasswordlessVerify,
};
export const supabasePasswordlessAuthAltIntegration: IntegrationDefinition = {
  fields: {},
  identityFlow: SUPABASE_FLOW,
  create: createSupabasePasswordlessAuthAlt,
};
