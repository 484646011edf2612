/**
 * Registers the extension's JPA entity ({@link
 * io.github.policyscopes.keycloak.store.RevisionEntity}) and its Liquibase changelog with
 * Keycloak's persistence unit. Thin glue: Keycloak's JPA SPI and {@code keycloak.store} only.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak.store.jpa;

import org.jspecify.annotations.NullMarked;
