/**
 * The config API, {@code /realms/{realm}/config}: bearer and origin check ({@link
 * io.github.policyscopes.keycloak.rest.BearerGuard}), the caller's permissions, the token policy
 * and managed client collections, their JSON views, ETags, admin events and writes. Thin glue: it
 * checks (through the core's {@code access} decision and {@code policy} validation), calls
 * Keycloak's model and representation code, and represents the result as JSON; it may depend on the
 * core, on {@code keycloak.store}, {@code keycloak.compat}, {@code keycloak.metrics}, and on
 * Keycloak, JAX-RS and Jackson.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak.rest;

import org.jspecify.annotations.NullMarked;
