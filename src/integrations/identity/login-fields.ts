/**
 * The authorizer fields each preset's login redirect and callback send, each required by the
 * checks on those routes (integrations/identity/lint.ts) and read as present by the flows
 * (requireFlowAuthorizer). A leaf module: the integration registry reads these while the flows'
 * modules, which import each other, are still loading.
 */
export const OIDC_LOGIN_AUTHORIZER_FIELDS = ['client_id', 'redirect_uri'] as const;
export const AUTH0_LOGIN_AUTHORIZER_FIELDS = ['client_id', 'client_secret', 'redirect_uri'] as const;
