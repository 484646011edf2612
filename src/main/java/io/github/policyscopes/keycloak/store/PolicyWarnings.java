package io.github.policyscopes.keycloak.store;

import com.github.benmanes.caffeine.cache.LoadingCache;
import io.github.policyscopes.keycloak.CacheBudget;
import io.github.policyscopes.policy.PolicyLinter;
import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.RealmModel;

/**
 * A policy's warnings, in one place for the config API's view (live, naming only the clients the
 * caller may read) and the admin console's mapper page (recorded on every save, naming every
 * client): the linter's ({@link PolicyLinter}), a broken stored form, several mappers, a realm
 * default client scope, and Optional bindings, which do nothing (docs/adr/0032).
 */
public final class PolicyWarnings {

  /** How many clients one warning names. */
  public static final int MAX_NAMED = 5;

  /**
   * Lint warnings per entry list: the pairwise checks run once per policy version, not per read
   * (bounded: entries and their wildcards are limited at write time). Bounded by weight ({@link
   * CacheBudget#POLICY_LINT_BYTES}): the entries and the warnings, as strings.
   */
  private static final LoadingCache<List<String>, List<String>> LINT =
      CacheBudget.weighed(
          CacheBudget.POLICY_LINT_BYTES,
          PolicyLinter::lint,
          e -> Footprint.strings(e.key()) + Footprint.strings(e.value()));

  private PolicyWarnings() {}

  /**
   * The warnings of a policy's content: its entries (sorted), a broken stored form, several
   * mappers. Its place in the realm ({@link #realmDefaults}) and its Optional bindings ({@link
   * #optional}) are added by the caller, who knows them.
   */
  public static List<String> of(PolicyConfig config, long mapperCount) {
    List<String> allowed = config.allowedScopes().stream().sorted().toList();
    // a broken policy (an import past the limits, say) is not linted: its warning says it all
    List<String> warnings = new ArrayList<>(config.isValid() ? LINT.get(allowed) : List.of());
    config
        .problems()
        .forEach(
            p ->
                warnings.add(
                    "Broken: "
                        + p.field()
                        + " "
                        + p.message()
                        + ". The policy grants no config scope until this is fixed."));
    if (mapperCount > 1) {
      warnings.add(
          "The client scope carries "
              + mapperCount
              + " token policy mappers: all of them grant; saving the policy here merges them"
              + " into one.");
    }
    return warnings;
  }

  /** The warning of a policy that is a realm default client scope of type Default. */
  static final String REALM_DEFAULT =
      "This policy is a realm default client scope (Default): every new client, however it is"
          + " registered, is bound to it.";

  /** The warning of a policy that is a realm default client scope of type Optional. */
  static final String REALM_OPTIONAL =
      "This policy is a realm default client scope of type Optional: every new client gets it"
          + " as an Optional client scope, where it does nothing (it binds no client); make it"
          + " Default on the clients it should bind.";

  /**
   * The policies (client scopes) that are realm default client scopes, each with its warning:
   * Default ones bind every new client, Optional ones bind none.
   */
  public static Map<String, String> realmDefaults(RealmModel realm) {
    Map<String, String> warnings = new HashMap<>();
    realm.getDefaultClientScopesStream(false).forEach(s -> warnings.put(s.getId(), REALM_OPTIONAL));
    realm.getDefaultClientScopesStream(true).forEach(s -> warnings.put(s.getId(), REALM_DEFAULT));
    return warnings;
  }

  /**
   * The warning for a policy some clients have as an Optional client scope, or null when none has.
   *
   * @param named the clientIds that may be named (at most {@link #MAX_NAMED} are)
   * @param total how many clients have it as Optional, named or not
   * @param countOthers whether the clients not named may be counted (the config API only says that
   *     there are others: a caller learns nothing about a client it may not read but that)
   */
  public static @Nullable String optional(List<String> named, int total, boolean countOthers) {
    if (total <= 0) {
      return null;
    }
    List<String> shown = named.stream().limit(MAX_NAMED).toList();
    int others = total - shown.size();
    String whom;
    if (shown.isEmpty()) {
      whom =
          !countOthers
              ? "clients this view does not show"
              : total == 1 ? "a client" : total + " clients";
    } else {
      whom = shown.stream().map(c -> "`" + c + "`").collect(Collectors.joining(", "));
      if (others > 0) {
        whom +=
            !countOthers
                ? " and other clients"
                : " and " + others + (others == 1 ? " other client" : " other clients");
      }
    }
    return "Bound as Optional to "
        + whom
        + ": Optional token policies do nothing (the client stays unbound and gets stock tokens);"
        + " make it a Default client scope of "
        + (total == 1 ? "that client" : "those clients")
        + " (Clients → client → Client scopes).";
  }

  /**
   * The warnings the admin console shows on the policy's mapper page, as of this save: the scope's
   * content as {@code config} (the mapper being saved), {@code mapperCount} policy mappers on it
   * after the save, every client named.
   */
  public static List<String> forConsole(
      KeycloakSession session,
      RealmModel realm,
      ClientScopeModel scope,
      PolicyConfig config,
      long mapperCount) {
    return forConsole(
        realm, scope, config, mapperCount, PolicyIndex.bindingsOf(session, scope.getId()));
  }

  /** {@link #forConsole}, given the policy's bindings as the caller's transaction read them. */
  public static List<String> forConsole(
      RealmModel realm,
      ClientScopeModel scope,
      PolicyConfig config,
      long mapperCount,
      PolicyIndex.Bindings bindings) {
    List<String> warnings = new ArrayList<>(of(config, mapperCount));
    String realmDefault = realmDefaults(realm).get(scope.getId());
    if (realmDefault != null) {
      warnings.add(realmDefault);
    }
    String optional =
        optional(
            bindings.optional().stream().map(PolicyIndex.BoundClient::clientId).toList(),
            bindings.optionalCount(),
            true);
    if (optional != null) {
      warnings.add(optional);
    }
    return warnings;
  }
}
