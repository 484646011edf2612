package io.github.policyscopes.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The pure core (scope/, policy/) knows nothing of Keycloak, JAX-RS, Jackson, JBoss or Micrometer.
 */
class PureCoreArchitectureTest {

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.github.policyscopes.scope", "io.github.policyscopes.policy");

  @Test
  void coreHasNoFrameworkDependencies() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage("..scope..", "..policy..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage(
                "org.keycloak..",
                "jakarta..",
                "javax..",
                "com.fasterxml..",
                "org.jboss..",
                "io.micrometer..");
    rule.check(CORE);
  }

  @Test
  void scopeDoesNotDependOnPolicy() {
    noClasses()
        .that()
        .resideInAPackage("..scope..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("..policy..")
        .check(CORE);
  }

  @Test
  void coreIsNotEmpty() {
    org.assertj.core.api.Assertions.assertThat(CORE.size()).isGreaterThan(10);
  }
}
