package io.github.policyscopes.access;

import java.util.List;
import java.util.Set;

/**
 * The config API's resource layout, declared once. Paths are relative to the realm and are what
 * config scopes match:
 *
 * <pre>
 * config                                   the API's root
 * config/{collection}                      tokenPolicies, clients
 * config/{collection}/{id}                 one member
 * config/clients/{id}/secret[/...]         a client's secret: always needs write (a credential)
 * config/clients/{id}/evaluate             the issuance dry run of a client
 * </pre>
 *
 * <p>What a token may do on each of these is the route table's ({@link Routes}).
 */
public final class ApiLayout {

  /** The API's root segment. */
  public static final String ROOT = "config";

  /** The token policies collection. */
  public static final String TOKEN_POLICIES = "tokenPolicies";

  /** The managed clients collection. */
  public static final String CLIENTS = "clients";

  /** A client's secret, below the client. */
  public static final String SECRET = "secret";

  /** A client's issuance dry run, below the client. */
  public static final String EVALUATE = "evaluate";

  /** The collections, in the order the API lists them. */
  public static final List<String> COLLECTIONS = List.of(TOKEN_POLICIES, CLIENTS);

  /** What a client has below it ({@code config/clients/{id}/...}). */
  public static final List<String> CLIENT_RESOURCES = List.of(SECRET, EVALUATE);

  private static final Set<String> COLLECTION_PATHS =
      Set.of(ROOT, ROOT + "/" + TOKEN_POLICIES, ROOT + "/" + CLIENTS);

  private ApiLayout() {}

  /** {@code config/{collection}}. */
  public static String collectionPath(String collection) {
    return ROOT + "/" + collection;
  }

  /** {@code config/{collection}/{id}}. */
  public static String memberPath(String collection, String id) {
    return collectionPath(collection) + "/" + id;
  }

  /** {@code config/tokenPolicies/{id}}. */
  public static String tokenPolicyPath(String id) {
    return memberPath(TOKEN_POLICIES, id);
  }

  /** {@code config/clients/{id}}. */
  public static String clientPath(String id) {
    return memberPath(CLIENTS, id);
  }

  /** {@code config/clients/{id}/secret}. */
  public static String secretPath(String clientId) {
    return clientPath(clientId) + "/" + SECRET;
  }

  /** {@code config/clients/{id}/evaluate}. */
  public static String evaluatePath(String clientId) {
    return clientPath(clientId) + "/" + EVALUATE;
  }

  /**
   * The paths that name a collection (or the root) rather than a member: {@code config}, {@code
   * config/tokenPolicies}, {@code config/clients}. Granting one of them alone grants no member.
   */
  public static Set<String> collectionPaths() {
    return COLLECTION_PATHS;
  }
}
