package io.github.policyscopes.keycloak.rest;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A managed client as the config API shows it: {@code tokenPolicies} names only the policies the
 * caller may read (errors and views obey denies). Built by {@link ManagedClientService#view}.
 */
record ClientView(
    String id,
    String clientId,
    @Nullable String name,
    String type,
    List<String> grantTypes,
    List<String> redirectUris,
    List<String> tokenPolicies,
    boolean enabled) {}
