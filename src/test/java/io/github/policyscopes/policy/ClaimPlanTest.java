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

  /** A mapper that writes {@code claim}, nested as Keycloak's claim names: {@code org.unit}. */
  private static Mapper writes(String id, String claim) {
    return Mapper.writing(id, Path.of(claim.split("\\.")));
  }

  /** A mapper that writes anywhere below the claim {@code top} (an open path). */
  private static Mapper below(String id, String top) {
    return new Mapper(id, List.of(new Path(List.of(top), true)));
  }

  @Test
  void knownClaimsOfDroppedScopesAreRemovedWithoutRunningAnything() {
    ClaimPlan plan =
        plan(
            List.of(writes("email", "email"), writes("nested", "org.unit")),
            List.of(writes("roles", "realm_access.roles")));
    assertThat(plan.removals()).containsExactly(Path.of("email"), Path.of("org", "unit"));
    assertThat(plan.droppedToRun()).isEmpty();
  }

  @Test
  void aPathAKeptMapperWritesAtAboveOrBelowRunsBothSides() {
    ClaimPlan plan =
        plan(
            List.of(
                writes("same", "name"), writes("below", "org.unit"), writes("sibling", "dept.a")),
            List.of(
                writes("keptName", "name"),
                writes("keptOrg", "org"),
                writes("keptSibling", "dept.b")));
    assertThat(plan.droppedToRun()).containsExactly("same", "below");
    assertThat(plan.removals()).containsExactly(Path.of("dept", "a"));
    assertThat(plan.keptToRun(Set.of("name"))).containsExactly("keptName");
  }

  @Test
  void unknownMappersRunAndAnUnknownKeptOneCollidesWithEverything() {
    ClaimPlan plan = plan(List.of(Mapper.unknown("script"), writes("email", "email")), List.of());
    // an unknown dropped mapper may write where a known one does: they run together
    assertThat(plan.droppedToRun()).containsExactly("script", "email");
    assertThat(plan.removals()).isEmpty();

    ClaimPlan unknownKept = plan(List.of(writes("email", "email")), List.of(Mapper.unknown("k")));
    assertThat(unknownKept.droppedToRun()).containsExactly("email");
    assertThat(unknownKept.keptToRun(Set.of("email"))).containsExactly("k");
  }

  @Test
  void sharedClaimsGoValueByValueAndBaseClaimsAreNeverRemoved() {
    ClaimPlan plan = plan(List.of(writes("audience", "aud"), writes("sub", "sub")), List.of());
    assertThat(plan.droppedToRun()).containsExactly("audience");
    assertThat(plan.removals()).isEmpty();
  }

  @Test
  void anOpenPathOfADroppedMapperRunsIt() {
    ClaimPlan plan = plan(List.of(below("clientRoles", "resource_access")), List.of());
    assertThat(plan.droppedToRun()).containsExactly("clientRoles");
  }

  @Test
  void anOpenPathOfAKeptMapperCollidesWithAnythingBelowIt() {
    ClaimPlan plan =
        plan(
            List.of(writes("d", "resource_access.api.roles")),
            List.of(below("k", "resource_access")));
    assertThat(plan.droppedToRun()).containsExactly("d");
  }

  @Test
  void aDroppedPathThatMeetsOneOfARunningDroppedMapperRunsToo() {
    ClaimPlan plan =
        plan(
            List.of(
                writes("colliding", "org"),
                writes("below", "org.unit"),
                writes("elsewhere", "email")),
            List.of(writes("kept", "org")));
    assertThat(plan.droppedToRun()).containsExactly("colliding", "below");
    assertThat(plan.removals()).containsExactly(Path.of("email"));
  }

  @Test
  void nothingDroppedIsAnEmptyPlan() {
    assertThat(plan(List.of(), List.of(Mapper.unknown("k"))).isEmpty()).isTrue();
  }
}
