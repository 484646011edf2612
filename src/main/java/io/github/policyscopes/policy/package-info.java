/**
 * Token issuance under a policy, pure core: a {@link io.github.policyscopes.policy.TokenPolicy},
 * its validation and lint, the policies of one client merged ({@link
 * io.github.policyscopes.policy.EffectivePolicy}) and the one decision what a token request gets
 * ({@link io.github.policyscopes.policy.IssuanceDecision}, {@link
 * io.github.policyscopes.policy.ScopeGrant}, {@link io.github.policyscopes.policy.Ceiling}).
 * Depends on {@code scope}, of {@code access} only on {@link
 * io.github.policyscopes.access.ApiLayout}, and on the JDK: no Keycloak or other framework type
 * (enforced by {@code PureCoreArchitectureTest}).
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.policy;

import org.jspecify.annotations.NullMarked;
