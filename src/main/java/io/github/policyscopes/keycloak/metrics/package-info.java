/**
 * The extension's Micrometer meters in Keycloak's own registry ({@link
 * io.github.policyscopes.keycloak.metrics.PolicyMetrics}). Thin glue: it depends on Micrometer,
 * Keycloak's configuration and the core's {@code policy} types, counts and times what the other
 * packages report, and decides nothing.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak.metrics;

import org.jspecify.annotations.NullMarked;
