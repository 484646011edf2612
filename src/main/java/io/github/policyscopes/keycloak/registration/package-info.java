/**
 * A ceiling for self-registered clients: Keycloak's client registration policy SPI ({@link
 * io.github.policyscopes.keycloak.registration.TokenPolicyCeilingFactory}) binds one configured
 * token policy to every client registered through dynamic client registration, keeps it bound on
 * registration updates, and refuses a registration that asks for scopes the policy cannot allow
 * (docs/adr/0029-a-ceiling-for-self-registered-clients.md). Thin glue: it reads Keycloak's model
 * and the registrant's representation, and decides with the core's {@code policy} types; it may
 * depend on the core, {@code keycloak.store}, {@code keycloak.compat} and Keycloak.
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}. Every type here is non-null unless
 * it is annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package io.github.policyscopes.keycloak.registration;

import org.jspecify.annotations.NullMarked;
