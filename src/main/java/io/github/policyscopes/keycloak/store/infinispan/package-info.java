/**
 * Keycloak's realm cache invalidations, heard through its Infinispan caches (compiled with
 * keycloak-model-infinispan and Infinispan from the distribution, as {@code store.jpa} is with
 * keycloak-model-jpa): the signal that keeps the config API's cached lists in step (docs/adr/0035).
 *
 * <p>Null policy: {@link org.jspecify.annotations.NullMarked}.
 */
@NullMarked
package io.github.policyscopes.keycloak.store.infinispan;

import org.jspecify.annotations.NullMarked;
