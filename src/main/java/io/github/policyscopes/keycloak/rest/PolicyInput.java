package io.github.policyscopes.keycloak.rest;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.policyscopes.keycloak.store.PolicyConfig;
import io.github.policyscopes.policy.PolicyValidator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A validated token policy body (docs/contract.md §4): the title and exactly the config that will
 * be stored; its entries are bounded by {@link PolicyConfig}.
 *
 * @param title the title, trimmed
 * @param config the config to store
 */
record PolicyInput(String title, PolicyConfig config) {

  /** The fields a body may set. */
  static final Set<String> WRITABLE =
      Set.of("title", "allowedScopes", "accessTokenLifetime", "disallowedScopes");

  /** The fields of a view a body may echo, ignored. */
  static final Set<String> READ_ONLY = Set.of("id", "clients", "boundClients", "warnings");

  /** Parses and validates a body; 400 naming every field in error. */
  static PolicyInput parse(ObjectNode body) {
    Json.onlyFields(body, WRITABLE, READ_ONLY);
    String title = Json.text(body, "title");
    List<String> allowed = Json.strings(body, "allowedScopes");
    Integer lifetime = Json.integer(body, "accessTokenLifetime");
    String mode = Json.text(body, "disallowedScopes");
    List<PolicyValidator.FieldError> errors = new ArrayList<>(PolicyValidator.titleErrors(title));
    if (allowed == null) {
      errors.add(new PolicyValidator.FieldError("allowedScopes", "is required"));
    }
    PolicyConfig config =
        PolicyConfig.of(
            allowed == null ? List.of() : allowed.stream().distinct().toList(), lifetime, mode);
    errors.addAll(config.problems());
    if (!errors.isEmpty() || title == null) {
      throw ApiError.invalidFields(errors);
    }
    return new PolicyInput(title.trim(), config);
  }
}
