package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.ClaimPlan.Mapper;
import io.github.policyscopes.policy.ClaimPlan.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which claims a plan removes outright and which mappers it still runs. */
class ClaimPlanTest {

  private static final Set<String> SHARED = Set.of("aud");
  private static final Set<String> BASE = Set.of("sub", "scope");

  private static ClaimPlan plan(List<Mapper> dropped, List<Mapper> kept) {
    return ClaimPlan.of(dropped, kept, SHARED, BASE);
  }

  @Test
  void knownClaimsOfDroppedScopesAreRemovedWithoutRunningAnything() {
    ClaimPlan plan =
        plan(
            List.of(
                Mapper.writing("email", Path.of("email")),
                Mapper.writing("nested", Path.of("org", "unit"))),
            List.of(Mapper.writing("roles", Path.of("realm_access", "roles"))));
    assertThat(plan.removals()).containsExactly(Path.of("email"), Path.of("org", "unit"));
    assertThat(plan.droppedToRun()).isEmpty();
  }

  @Test
  void aPathAKeptMapperWritesAtAboveOrBelowRunsBothSides() {
    ClaimPlan plan =
        plan(
            List.of(
                Mapper.writing("same", Path.of("name")),
                Mapper.writing("below", Path.of("org", "unit")),
                Mapper.writing("sibling", Path.of("dept", "a"))),
            List.of(
                Mapper.writing("keptName", Path.of("name")),
                Mapper.writing("keptOrg", Path.of("org")),
                Mapper.writing("keptSibling", Path.of("dept", "b"))));
    assertThat(plan.droppedToRun()).containsExactly("same", "below");
    assertThat(plan.removals()).containsExactly(Path.of("dept", "a"));
    assertThat(plan.keptToRun(Set.of("name"))).containsExactly("keptName");
  }

  @Test
  void unknownMappersRunAndAnUnknownKeptOneCollidesWithEverything() {
    ClaimPlan plan =
        plan(
            List.of(Mapper.unknown("script"), Mapper.writing("email", Path.of("email"))),
            List.of());
    // an unknown dropped mapper may write where a known one does: they run together
    assertThat(plan.droppedToRun()).containsExactly("script", "email");
    assertThat(plan.removals()).isEmpty();

    ClaimPlan unknownKept =
        plan(List.of(Mapper.writing("email", Path.of("email"))), List.of(Mapper.unknown("k")));
    assertThat(unknownKept.droppedToRun()).containsExactly("email");
    assertThat(unknownKept.keptToRun(Set.of("email"))).containsExactly("k");
  }

  @Test
  void sharedClaimsGoValueByValueAndBaseClaimsAreNeverRemoved() {
    ClaimPlan plan =
        plan(
            List.of(
                Mapper.writing("audience", Path.of("aud")), Mapper.writing("sub", Path.of("sub"))),
            List.of());
    assertThat(plan.droppedToRun()).containsExactly("audience");
    assertThat(plan.removals()).isEmpty();
  }

  @Test
  void anOpenPathOfADroppedMapperRunsIt() {
    ClaimPlan plan =
        plan(
            List.of(new Mapper("clientRoles", List.of(new Path(List.of("resource_access"), true)))),
            List.of());
    assertThat(plan.droppedToRun()).containsExactly("clientRoles");
  }

  @Test
  void anOpenPathOfAKeptMapperCollidesWithAnythingBelowIt() {
    ClaimPlan plan =
        plan(
            List.of(Mapper.writing("d", Path.of("resource_access", "api", "roles"))),
            List.of(new Mapper("k", List.of(new Path(List.of("resource_access"), true)))));
    assertThat(plan.droppedToRun()).containsExactly("d");
  }

  @Test
  void aDroppedPathThatMeetsOneOfARunningDroppedMapperRunsToo() {
    ClaimPlan plan =
        plan(
            List.of(
                Mapper.writing("colliding", Path.of("org")),
                Mapper.writing("below", Path.of("org", "unit")),
                Mapper.writing("elsewhere", Path.of("email"))),
            List.of(Mapper.writing("kept", Path.of("org"))));
    assertThat(plan.droppedToRun()).containsExactly("colliding", "below");
    assertThat(plan.removals()).containsExactly(Path.of("email"));
  }

  @Test
  void nothingDroppedIsAnEmptyPlan() {
    assertThat(plan(List.of(), List.of(Mapper.unknown("k"))).isEmpty()).isTrue();
  }
}
