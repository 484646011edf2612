package io.github.policyscopes.keycloak.compat;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientModel;
import org.keycloak.representations.idm.ClientRepresentation;
import org.keycloak.services.clientpolicy.context.ClientSecretRotationContext;
import org.keycloak.services.resources.admin.AdminAuth;

/**
 * Client-policy contexts whose constructors differ between the supported Keycloak versions: 26.4
 * builds a {@link ClientSecretRotationContext} without the admin who rotates, later versions with
 * it. The constructor is found once.
 */
public final class ClientPolicyContexts {

  private static final @Nullable MethodHandle WITH_ADMIN =
      constructor(
          MethodType.methodType(
              void.class,
              ClientRepresentation.class,
              ClientModel.class,
              String.class,
              AdminAuth.class));
  private static final @Nullable MethodHandle WITHOUT_ADMIN =
      constructor(
          MethodType.methodType(
              void.class, ClientRepresentation.class, ClientModel.class, String.class));

  private ClientPolicyContexts() {}

  /** Whether the running Keycloak has one of the constructors ({@link Capabilities}). */
  static boolean resolved() {
    return WITH_ADMIN != null || WITHOUT_ADMIN != null;
  }

  /** The context of a secret rotation, with the admin where the running Keycloak takes one. */
  public static ClientSecretRotationContext secretRotation(
      ClientRepresentation rep,
      ClientModel client,
      @Nullable String currentSecret,
      AdminAuth admin) {
    try {
      if (WITH_ADMIN != null) {
        return (ClientSecretRotationContext) WITH_ADMIN.invoke(rep, client, currentSecret, admin);
      }
      if (WITHOUT_ADMIN != null) {
        return (ClientSecretRotationContext) WITHOUT_ADMIN.invoke(rep, client, currentSecret);
      }
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("no known ClientSecretRotationContext constructor");
  }

  private static @Nullable MethodHandle constructor(MethodType type) {
    try {
      return MethodHandles.publicLookup().findConstructor(ClientSecretRotationContext.class, type);
    } catch (NoSuchMethodException | IllegalAccessException absent) {
      return null;
    }
  }
}
