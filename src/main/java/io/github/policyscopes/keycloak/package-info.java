/**
 * Keycloak glue shared by the sub-packages: the English texts of this JAR's message bundle ({@link
 * io.github.policyscopes.keycloak.ProviderMessages}). Like every {@code keycloak} package it is
 * thin glue: it checks, calls Keycloak and represents; the decisions live in the pure core ({@code
 * scope}, {@code access}, {@code policy}), which may depend on nothing here.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak;

import org.jspecify.annotations.NullMarked;
