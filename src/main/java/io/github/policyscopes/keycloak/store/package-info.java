/**
 * Token policies stored in Keycloak's own model (a client scope carrying the policy mapper, whose
 * config is the policy: {@link io.github.policyscopes.keycloak.store.PolicyStore}, {@link
 * io.github.policyscopes.keycloak.store.PolicyConfig}), the database queries that page through them
 * ({@link io.github.policyscopes.keycloak.store.PolicyIndex}) and the revisions of config API
 * resources ({@link io.github.policyscopes.keycloak.store.Revisions}). Thin glue: it reads and
 * writes Keycloak's model and JPA, and turns what is stored into the core's {@code policy} types;
 * it may depend on the core, {@code keycloak.compat} and Keycloak.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak.store;

import org.jspecify.annotations.NullMarked;
