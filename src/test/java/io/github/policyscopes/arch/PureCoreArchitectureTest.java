package io.github.policyscopes.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.equivalentTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.github.policyscopes.access.ApiLayout;
import org.junit.jupiter.api.Test;

/**
 * The pure core knows nothing of Keycloak, JAX-RS, Jackson, JBoss or Micrometer, and its three
 * packages are layered: {@code scope} (the syntax) depends on neither of the others; {@code access}
 * (the config API's decision) and {@code policy} (issuance) sit on it, {@code access} knows nothing
 * of issuance, and {@code policy} uses of {@code access} only the API's layout.
 */
class PureCoreArchitectureTest {

  private static final String SCOPE = "io.github.policyscopes.scope..";
  private static final String POLICY = "io.github.policyscopes.policy..";
  private static final String ACCESS = "io.github.policyscopes.access..";

  private static final JavaClasses CORE =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages(
              "io.github.policyscopes.scope",
              "io.github.policyscopes.policy",
              "io.github.policyscopes.access");

  @Test
  void coreHasNoFrameworkDependencies() {
    ArchRule rule =
        noClasses()
            .that()
            .resideInAnyPackage(SCOPE, POLICY, ACCESS)
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
  void scopeDependsOnNeitherPolicyNorAccess() {
    noClasses()
        .that()
        .resideInAPackage(SCOPE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(POLICY, ACCESS)
        .check(CORE);
  }

  @Test
  void accessDoesNotDependOnPolicy() {
    noClasses()
        .that()
        .resideInAPackage(ACCESS)
        .should()
        .dependOnClassesThat()
        .resideInAPackage(POLICY)
        .check(CORE);
  }

  @Test
  void policyUsesOfAccessOnlyTheApiLayout() {
    noClasses()
        .that()
        .resideInAPackage(POLICY)
        .should()
        .dependOnClassesThat(resideInAPackage(ACCESS).and(not(equivalentTo(ApiLayout.class))))
        .check(CORE);
  }

  @Test
  void coreIsNotEmpty() {
    org.assertj.core.api.Assertions.assertThat(CORE.size()).isGreaterThan(10);
    org.assertj.core.api.Assertions.assertThat(CORE.containPackage("io.github.policyscopes.access"))
        .isTrue();
  }
}
