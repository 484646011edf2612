/**
 * Keycloak version compatibility: which server this JAR runs in ({@link
 * io.github.policyscopes.keycloak.compat.KeycloakRuntime}, {@link
 * io.github.policyscopes.keycloak.compat.KeycloakVersion}), whether the extension is active on it,
 * and the few Keycloak APIs that differ between 26.4 and 26.7, reached in one place. Thin glue: it
 * depends on Keycloak's SPI and the JDK, and holds no decision of the core.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak.compat;

import org.jspecify.annotations.NullMarked;
