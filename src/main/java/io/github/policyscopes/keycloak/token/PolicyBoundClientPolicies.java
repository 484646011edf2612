package io.github.policyscopes.keycloak.token;

import io.github.policyscopes.keycloak.compat.KeycloakRuntime;
import org.keycloak.models.KeycloakSession;
import org.keycloak.services.clientpolicy.ClientPolicyContext;
import org.keycloak.services.clientpolicy.ClientPolicyException;
import org.keycloak.services.clientpolicy.ClientPolicyManager;
import org.keycloak.services.clientpolicy.DefaultClientPolicyManager;
import org.keycloak.services.clientpolicy.DefaultClientPolicyManagerFactory;

/**
 * Keycloak's client-policy manager, which its endpoints ask about every request once the client is
 * known and the request parsed, with one step first: a bound client's scopes are decided where they
 * are asked for before the token request ({@link AuthorizationRequests}). Everything else —
 * profiles, policies, executors of every realm — is Keycloak's own manager, unchanged; for an
 * unbound client nothing else happens. Same id as Keycloak's, and a package outside {@code
 * org.keycloak}, so Keycloak prefers it, as it does the grant wrappers
 * (docs/adr/0028-every-grant.md).
 */
public final class PolicyBoundClientPolicies extends DefaultClientPolicyManagerFactory {

  @Override
  public ClientPolicyManager create(KeycloakSession session) {
    // where a capability is missing, Keycloak's own manager: the token request refuses bound
    // clients (docs/adr/0027)
    return KeycloakRuntime.active() ? new Manager(session) : super.create(session);
  }

  private static final class Manager extends DefaultClientPolicyManager {

    private final KeycloakSession session;

    Manager(KeycloakSession session) {
      super(session);
      this.session = session;
    }

    @Override
    public void triggerOnEvent(ClientPolicyContext context) throws ClientPolicyException {
      AuthorizationRequests.decide(session, context);
      super.triggerOnEvent(context);
    }
  }
}
