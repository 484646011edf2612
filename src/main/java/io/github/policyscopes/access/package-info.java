/**
 * The config API's access decision, pure core: the API's layout ({@link
 * io.github.policyscopes.access.ApiLayout}), canonical request paths, the compiled scopes of a
 * token ({@link io.github.policyscopes.access.ScopeSet}) and the decision for one request ({@link
 * io.github.policyscopes.access.Decision}), and the no-escalation rule for what a caller may hand
 * out ({@link io.github.policyscopes.access.EscalationCheck}). Depends on {@code scope} and the JDK
 * only: no Keycloak or other framework type, nothing of issuance ({@code policy}); enforced by
 * {@code PureCoreArchitectureTest}.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.access;

import org.jspecify.annotations.NullMarked;
