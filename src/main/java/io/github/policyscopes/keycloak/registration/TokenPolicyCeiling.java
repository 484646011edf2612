package io.github.policyscopes.keycloak.registration;

import io.github.policyscopes.keycloak.store.PolicyStore;
import io.github.policyscopes.policy.EffectivePolicy;
import io.github.policyscopes.policy.ScopeGrant;
import io.github.policyscopes.policy.ScopeGrant.GrantResult;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jspecify.annotations.Nullable;
import org.keycloak.component.ComponentModel;
import org.keycloak.models.ClientModel;
import org.keycloak.models.ClientScopeModel;
import org.keycloak.models.KeycloakSession;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.models.RealmModel;
import org.keycloak.protocol.ProtocolMapper;
import org.keycloak.protocol.oidc.OIDCLoginProtocol;
import org.keycloak.protocol.oidc.mappers.AbstractPairwiseSubMapper;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.representations.idm.ProtocolMapperRepresentation;
import org.keycloak.services.clientregistration.ClientRegistrationContext;
import org.keycloak.services.clientregistration.ClientRegistrationProvider;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy;
import org.keycloak.services.clientregistration.policy.ClientRegistrationPolicyException;

/**
 * One configured registration ceiling at work (docs/adr/0029): every client registered through
 * dynamic client registration gets the ceiling's token policy as a default client scope, and no
 * other policy; a registration update cannot unbind it; a registration or update that asks for a
 * scope the policy cannot allow is refused with Keycloak's own error ({@link
 * ClientRegistrationPolicyException}: {@code 403 insufficient_scope}, naming this policy).
 *
 * <p>Follows Keycloak's own registration policies: what the server adds is enforced on the model
 * after registration ({@link #afterRegister}, as the protocol-mappers and client-disabled policies
 * do), and an update that would undo it is refused before anything is written ({@link
 * #beforeUpdate}). Every failure to find a usable policy refuses (fail closed): never an unbound
 * client.
 */
final class TokenPolicyCeiling implements ClientRegistrationPolicy {

  private static final Logger LOG = Logger.getLogger(TokenPolicyCeiling.class);

  private final KeycloakSession session;
  private final ComponentModel component;

  TokenPolicyCeiling(KeycloakSession session, ComponentModel component) {
    this.session = session;
    this.component = component;
  }

  // ---- registration ----

  @Override
  public void beforeRegister(ClientRegistrationContext context) {
    CeilingScope ceiling = ceiling();
    ClientRepresentation rep = context.getClient();
    refuseOtherProtocols(rep, null);
    refuseOwnMappers(rep, null);
    refuseOwnMarkers(rep, null);
    refuseAsked(
        ceiling, isPublic(rep, null), rep.getDefaultClientScopes(), rep.getOptionalClientScopes());
  }

  /**
   * Binds the ceiling. The ceiling was resolved before the client was written, in the same
   * transaction; should it fail now, Keycloak turns the refusal into a server error and rolls the
   * registration back: no client is left unbound.
   */
  @Override
  public void afterRegister(ClientRegistrationContext context, ClientModel client) {
    bind(client, ceiling(), true);
  }

  // ---- update through the registration access token (or an authenticated registration) ----

  @Override
  public void beforeUpdate(ClientRegistrationContext context, ClientModel client) {
    CeilingScope ceiling = ceiling();
    ClientRepresentation rep = context.getClient();
    refuseOtherProtocols(rep, client);
    refuseOwnMappers(rep, client);
    refuseOwnMarkers(rep, client);
    List<String> defaults = rep.getDefaultClientScopes();
    List<String> optional = rep.getOptionalClientScopes();
    boolean bound = client.getClientScopes(true).containsKey(ceiling.name());
    if (bound && defaults != null && !defaults.contains(ceiling.name())) {
      throw refusal(
          "the token policy \""
              + ceiling.name()
              + "\" stays bound to every registered client: defaultClientScopes must keep it");
    }
    if (optional != null && optional.contains(ceiling.name())) {
      throw refusal(
          "the token policy \""
              + ceiling.name()
              + "\" is bound as a default client scope and cannot be made optional");
    }
    // as Keycloak's allowed-client-scopes policy: what the client has already is not asked again
    refuseAsked(
        ceiling,
        isPublic(rep, client),
        added(defaults, client.getClientScopes(true).keySet()),
        added(optional, client.getClientScopes(false).keySet()));
  }

  /**
   * Binds the ceiling again, should the update have left it out (a client registered before the
   * ceiling was configured); as {@link #afterRegister}, a failure rolls the update back.
   */
  @Override
  public void afterUpdate(ClientRegistrationContext context, ClientModel client) {
    bind(client, ceiling(), false);
  }

  @Override
  public void beforeView(ClientRegistrationProvider provider, ClientModel client) {}

  @Override
  public void beforeDelete(ClientRegistrationProvider provider, ClientModel client) {}

  // ---- the ceiling ----

  /**
   * The ceiling of this component, resolved now; refuses the registration when it cannot be used,
   * or when another ceiling with another policy is configured for the same kind of registration
   * (bound policies unite, so two ceilings would make neither a ceiling).
   */
  private CeilingScope ceiling() {
    RealmModel realm = realm();
    Set<String> configured =
        TokenPolicyCeilingFactory.ceilingsOf(realm, component.getSubType())
            .map(TokenPolicyCeilingFactory::configuredPolicy)
            .map(n -> n == null ? "" : n)
            .collect(Collectors.toCollection(TreeSet::new));
    if (configured.size() > 1) {
      LOG.errorf(
          "Registration refused: several token policy ceilings for %s registration name different"
              + " policies %s; keep one",
          component.getSubType(), PolicyStore.printable(configured.toString()));
      throw refusal(
          "several token policy ceilings with different policies are configured for this kind of"
              + " registration; an administrator must keep one");
    }
    try {
      return CeilingScope.resolve(realm, TokenPolicyCeilingFactory.configuredPolicy(component));
    } catch (CeilingScope.Unavailable e) {
      LOG.errorf(
          "Registration refused by the token policy ceiling \"%s\": %s",
          PolicyStore.printable(component.getName()), e.reason());
      throw refusal(e.reason());
    }
  }

  private RealmModel realm() {
    RealmModel realm = session.realms().getRealm(component.getParentId());
    if (realm == null) {
      throw refusal("the realm of this registration policy is gone");
    }
    return realm;
  }

  /**
   * Binds the ceiling as a default client scope; when {@code others}, removes every other token
   * policy Keycloak gave the client (realm default or optional client scopes, docs/adr/0015): the
   * registrant asked for none of them (those it named were refused), and policies unite.
   */
  private static void bind(ClientModel client, CeilingScope ceiling, boolean others) {
    ClientScopeModel policy = ceiling.scope();
    for (boolean defaultScope : new boolean[] {true, false}) {
      for (ClientScopeModel scope : List.copyOf(client.getClientScopes(defaultScope).values())) {
        boolean isCeiling = scope.getId().equals(policy.getId());
        if (isCeiling ? !defaultScope : others && PolicyStore.isPolicy(scope)) {
          client.removeClientScope(scope);
        }
      }
    }
    if (!client.getClientScopes(true).containsKey(policy.getName())) {
      client.addClientScope(policy, true);
    }
    if (!client.getClientScopes(true).containsKey(policy.getName())) {
      // Keycloak did not bind it (another protocol, …): rolled back, never an unbound client
      throw refusal("the token policy ceiling could not be bound to the client");
    }
    // a client that later loses its ceiling is refused, never given stock tokens
    client.setAttribute(PolicyStore.CEILING_ATTRIBUTE, policy.getId());
    if (others) {
      client
          .getProtocolMappersStream()
          .filter(PolicyStore::isPolicyMapper)
          .toList()
          .forEach(client::removeProtocolMapper);
    }
    LOG.debugf(
        "Registered client %s bound to the token policy ceiling %s",
        PolicyStore.printable(client.getClientId()), PolicyStore.printable(policy.getName()));
  }

  // ---- what a registrant may ask for ----

  /**
   * Refuses when the registrant names another token policy, or a client scope the ceiling does not
   * allow. A client scope is decided by the policy, as issuance decides it (contract §3), unless it
   * is asked as a default client scope and is Keycloak's infrastructure: a realm default client
   * scope that is not put into the token's {@code scope} ({@code basic}, {@code roles}, …).
   */
  private void refuseAsked(
      CeilingScope ceiling,
      boolean publicClient,
      @Nullable Collection<String> defaults,
      @Nullable Collection<String> optional) {
    RealmModel realm = realm();
    Map<String, ClientScopeModel> realmDefaults =
        realm
            .getDefaultClientScopesStream(true)
            .collect(Collectors.toMap(ClientScopeModel::getName, s -> s, (a, b) -> a));
    List<String> decided = new ArrayList<>();
    List<String> policies = new ArrayList<>();
    classify(realm, ceiling, defaults, realmDefaults, decided, policies);
    classify(realm, ceiling, optional, Map.of(), decided, policies);
    if (!policies.isEmpty()) {
      throw refusal(
          "a registered client is bound to the token policy \""
              + ceiling.name()
              + "\" only; the registration names other token policies: "
              + String.join(" ", policies));
    }
    EffectivePolicy policy =
        publicClient ? ceiling.effective().withoutConfigGrants() : ceiling.effective();
    GrantResult decision = ScopeGrant.compute(decided, policy);
    if (decision.hasDropped()) {
      throw refusal(
          "the token policy \""
              + ceiling.name()
              + "\" does not allow the scopes "
              + String.join(" ", decision.dropped()));
    }
  }

  private static void classify(
      RealmModel realm,
      CeilingScope ceiling,
      @Nullable Collection<String> names,
      Map<String, ClientScopeModel> infrastructureCandidates,
      List<String> decided,
      List<String> policies) {
    if (names == null) {
      return;
    }
    for (String name : names) {
      if (name == null || name.isBlank() || name.equals(ceiling.name())) {
        continue;
      }
      ClientScopeModel scope =
          realm
              .getClientScopesStream()
              .filter(s -> name.equals(s.getName()))
              .findFirst()
              .orElse(null);
      // Keycloak's infrastructure, exempt at issuance too (docs/adr/0023)
      boolean infrastructure =
          scope != null
              && infrastructureCandidates.containsKey(name)
              && !scope.isIncludeInTokenScope();
      if (scope != null && PolicyStore.isPolicy(scope)) {
        policies.add(PolicyStore.printable(name));
      } else if (!infrastructure) {
        decided.add(name);
      }
    }
  }

  /**
   * A registered client brings no protocol mapper of its own: a client's own mappers are not a
   * scope's, so their claims would pass any ceiling (contract §3). Allowed: a mapper the client
   * already has, unchanged (an update sends them back), and a pairwise subject mapper, which
   * Keycloak adds for {@code subject_type=pairwise} and which changes {@code sub} only (its type is
   * Keycloak's {@link AbstractPairwiseSubMapper}).
   */
  private void refuseOwnMappers(ClientRepresentation rep, @Nullable ClientModel client) {
    List<ProtocolMapperRepresentation> mappers = rep.getProtocolMappers();
    if (mappers == null) {
      return;
    }
    for (ProtocolMapperRepresentation mapper : mappers) {
      ProtocolMapperModel existing =
          client == null || mapper.getId() == null
              ? null
              : client.getProtocolMapperById(mapper.getId());
      if (existing != null
          && Objects.equals(existing.getProtocolMapper(), mapper.getProtocolMapper())
          && Objects.equals(existing.getConfig(), mapper.getConfig())) {
        continue;
      }
      if (!PolicyStore.MAPPER_PROVIDER_ID.equals(mapper.getProtocolMapper())
          && session
                  .getKeycloakSessionFactory()
                  .getProviderFactory(ProtocolMapper.class, mapper.getProtocolMapper())
              instanceof AbstractPairwiseSubMapper) {
        continue;
      }
      throw refusal(
          "a client registered under a token policy ceiling brings no protocol mapper of its own"
              + " (its claims come from the policy's client scopes)");
    }
  }

  /**
   * A registrant sets none of this extension's client attributes ({@code pbs.…}: the ceiling mark,
   * the hand-over to the config API): an update may send back the values the client has, nothing
   * else.
   */
  private static void refuseOwnMarkers(ClientRepresentation rep, @Nullable ClientModel client) {
    Map<String, String> attributes = rep.getAttributes();
    if (attributes == null) {
      return;
    }
    for (Map.Entry<String, String> attribute : attributes.entrySet()) {
      String key = attribute.getKey();
      if (key != null
          && key.startsWith(EXTENSION_ATTRIBUTES)
          && (client == null || !Objects.equals(client.getAttribute(key), attribute.getValue()))) {
        throw refusal("a registered client cannot set the attribute " + PolicyStore.printable(key));
      }
    }
  }

  /** The prefix of this extension's client attributes. */
  private static final String EXTENSION_ATTRIBUTES = "pbs.";

  /**
   * Only OpenID Connect clients are registered under a ceiling: Keycloak binds a client scope only
   * to a client of its protocol, so another protocol's client could not be bound.
   */
  private static void refuseOtherProtocols(ClientRepresentation rep, @Nullable ClientModel client) {
    String protocol =
        rep.getProtocol() != null
            ? rep.getProtocol()
            : client == null ? null : client.getProtocol();
    if (protocol != null && !OIDCLoginProtocol.LOGIN_PROTOCOL.equals(protocol)) {
      throw refusal(
          "only OpenID Connect clients can be registered under a token policy ceiling, not "
              + PolicyStore.printable(protocol));
    }
  }

  private static boolean isPublic(ClientRepresentation rep, @Nullable ClientModel client) {
    Boolean publicClient = rep.isPublicClient();
    Boolean bearerOnly = rep.isBearerOnly();
    boolean isPublic =
        publicClient != null ? publicClient : client != null && client.isPublicClient();
    boolean isBearer = bearerOnly != null ? bearerOnly : client != null && client.isBearerOnly();
    return isPublic || isBearer;
  }

  private static @Nullable List<String> added(@Nullable List<String> asked, Set<String> present) {
    return asked == null ? null : asked.stream().filter(n -> !present.contains(n)).toList();
  }

  private static ClientRegistrationPolicyException refusal(String message) {
    return new ClientRegistrationPolicyException(message);
  }
}
