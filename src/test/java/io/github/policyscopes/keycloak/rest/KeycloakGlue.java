package io.github.policyscopes.keycloak.rest;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;

/** The extension's Keycloak glue (main classes only) as ArchUnit sees it, for structural tests. */
final class KeycloakGlue {

  /** Every main class below {@code io.github.policyscopes.keycloak}, imported once. */
  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.github.policyscopes.keycloak");

  private KeycloakGlue() {}

  /** The methods ({@code Owner.method}, distinct, sorted) that call {@code owner.method}. */
  static List<String> callersOf(Class<?> owner, String method) {
    return CLASSES.get(owner).getMethodCallsToSelf().stream()
        .filter(call -> call.getTarget().getName().equals(method))
        .map(call -> call.getOrigin().getOwner().getSimpleName() + "." + call.getOrigin().getName())
        .distinct()
        .sorted()
        .toList();
  }
}
