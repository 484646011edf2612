/**
 * Token issuance in Keycloak: the wrapped grant types ({@link
 * io.github.policyscopes.keycloak.token.PolicyBoundGrantType}), the policy's protocol mapper
 * ({@link io.github.policyscopes.keycloak.token.TokenPolicyMapper}), claims that follow scopes
 * ({@link io.github.policyscopes.keycloak.token.ClaimFilter}) and the refresh token's grant claim.
 * Thin glue: it reads the request and the stored policies, calls the core's {@link
 * io.github.policyscopes.policy.IssuanceDecision}, and writes its outcome into what Keycloak
 * issues; it may depend on the core, {@code keycloak.store}, {@code keycloak.compat}, {@code
 * keycloak.metrics} and Keycloak.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak.token;

import org.jspecify.annotations.NullMarked;
