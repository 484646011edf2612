package io.github.policyscopes.keycloak.rest;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.access.Route;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The config API decides a request in one place, from the request itself: a route cannot name the
 * method it is decided for (one slip turned a write check into a read check), and every other
 * authorization question goes through the request's {@link Permissions}.
 */
class RequestAuthorizationArchitectureTest {

  @Test
  void onlyTheRootResourceDecidesARequest() {
    noClasses()
        .that()
        .doNotHaveSimpleName("ConfigResource")
        .should()
        .callMethod(Permissions.class, "requireAllowed", String.class, String.class)
        .orShould()
        .callMethod(Permissions.class, "refuseDenied", String.class, String.class)
        .check(KeycloakGlue.CLASSES);
  }

  @Test
  void aRouteHandsTheGuardOnlyItsRouteOfTheTable() {
    // guarded(route, handler): the decision is the table's, no method or path string to get wrong
    List<Method> entries =
        Arrays.stream(ConfigResource.class.getDeclaredMethods())
            .filter(m -> !m.isSynthetic() && !m.getName().startsWith("lambda$"))
            .filter(m -> !java.lang.reflect.Modifier.isPrivate(m.getModifiers()))
            .filter(
                m -> Arrays.asList(m.getParameterTypes()).contains(ConfigResource.Handler.class))
            .toList();
    assertThat(entries).isNotEmpty();
    for (Method entry : entries) {
      assertThat(entry.getParameterTypes())
          .as(entry.toString())
          .containsExactly(Route.class, ConfigResource.Handler.class);
    }
    for (Method m : ConfigResource.class.getDeclaredMethods()) {
      if (m.getName().equals("unknown")) {
        assertThat(m.getParameterCount()).as(m.toString()).isZero();
      }
    }
  }

  @Test
  void scopeDecisionsAndEscalationChecksAreAskedThroughPermissions() {
    noClasses()
        .that()
        .doNotHaveSimpleName("Permissions")
        .should()
        .dependOnClassesThat()
        .haveSimpleName("EscalationCheck")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleName("Decision")
        .check(KeycloakGlue.CLASSES);
  }
}
