package io.github.policyscopes.keycloak.rest;

import io.github.policyscopes.policy.ScopeSet;
import org.keycloak.models.ClientModel;
import org.keycloak.models.UserModel;
import org.keycloak.representations.AccessToken;

/** The verified bearer of a config API request and what its scopes allow. */
record Caller(AccessToken token, ClientModel client, UserModel user, ScopeSet scopes) {}
