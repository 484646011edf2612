package io.github.policyscopes.keycloak.rest;

import org.keycloak.events.admin.OperationType;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;
import org.keycloak.services.resources.admin.AdminEventBuilder;

/** Keycloak admin events for config API writes, attributed to the caller's token. */
final class AdminEvents {

  static final String TOKEN_POLICY = "TOKEN_POLICY";
  static final String CLIENT = "CLIENT";

  private AdminEvents() {}

  static void record(
      KeycloakSession session,
      RealmModel realm,
      Permissions permissions,
      String resourceType,
      OperationType operation,
      String resourcePath,
      Object representation) {
    new AdminEventBuilder(
            realm,
            permissions.caller().adminAuth(realm),
            session,
            session.getContext().getConnection())
        .resource(resourceType)
        .operation(operation)
        .resourcePath(resourcePath)
        .representation(representation)
        .success();
  }
}
