package io.github.policyscopes.keycloak.registration;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import io.github.policyscopes.keycloak.store.PolicyConfig;
import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.PolicyValidator.FieldError;
import io.github.policyscopes.policy.TokenPolicy;
import java.util.List;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.RealmModel;

/**
 * The token policy a registration ceiling names, resolved in the realm as it is now: the client
 * scope of that name, which must be a valid token policy. Everything else fails closed: {@link
 * #resolve} throws {@link Unavailable} with a sentence saying why, and the caller refuses (the
 * console's save, or the registration).
 *
 * @param scope the policy's client scope
 * @param effective the policy merged (all its mappers), as issuance reads it
 */
record CeilingScope(ClientScopeModel scope, EffectivePolicy effective) {

  /** Why a ceiling cannot be used; the message is the sentence shown to the operator. */
  static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    private final String reason;

    Unavailable(String reason) {
      super(reason);
      this.reason = reason;
    }

    /** Why: the text of the refusal. */
    String reason() {
      return reason;
    }
  }

  /** The policy's client scope name, what a registration names it by. */
  String name() {
    return scope.getName();
  }

  /**
   * The ceiling named {@code name} in {@code realm}.
   *
   * @throws Unavailable when no name is configured, no client scope has it, it is no token policy,
   *     the policy does not validate, or the extension does not run on this Keycloak
   */
  static CeilingScope resolve(RealmModel realm, @Nullable String name) throws Unavailable {
    if (!KeycloakRuntime.active()) {
      throw new Unavailable(KeycloakRuntime.refusal());
    }
    if (name == null || name.isBlank()) {
      throw new Unavailable("no token policy is configured for the ceiling");
    }
    ClientScopeModel scope =
        realm
            .getClientScopesStream()
            .filter(s -> name.equals(s.getName()))
            .findFirst()
            .orElseThrow(
                () ->
                    new Unavailable(
                        "the ceiling's token policy \""
                            + PolicyStore.printable(name)
                            + "\" does not exist (no client scope has that name)"));
    PolicyConfig config = PolicyStore.configOf(scope);
    if (config == null) {
      throw new Unavailable(
          "the client scope \""
              + PolicyStore.printable(name)
              + "\" is not a token policy (it carries no \"Token policy (policy-bound scopes)\""
              + " mapper)");
    }
    if (!config.isValid()) {
      throw new Unavailable(
          "the ceiling's token policy \""
              + PolicyStore.printable(name)
              + "\" does not validate: "
              + describe(config.problems()));
    }
    TokenPolicy policy = config.toPolicy(scope.getId(), PolicyStore.titleOf(scope));
    return new CeilingScope(scope, PolicyStore.merged(List.of(policy)));
  }

  private static String describe(List<FieldError> problems) {
    return problems.stream()
        .map(p -> p.field() + ": " + p.message())
        .collect(Collectors.joining("; "));
  }
}
