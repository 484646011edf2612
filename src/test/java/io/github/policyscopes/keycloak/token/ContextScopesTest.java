package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.keycloak.store.PolicyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ProtocolMapperModel;
import org.keycloak.protocol.oidc.mappers.UserInfoTokenMapper;

class ContextScopesTest {

  private static ProtocolMapperModel model(String id) {
    ProtocolMapperModel m = new ProtocolMapperModel();
    m.setId(id);
    m.setName(id);
    m.setProtocol("openid-connect");
    m.setProtocolMapper("oidc-hardcoded-claim-mapper");
    return m;
  }

  private final ProtocolMapperModel a = model("a");
  private final ProtocolMapperModel b = model("b");
  private final ProtocolMapperModel c = model("c");

  private final ContextScopes scopes =
      new ContextScopes(
          List.of(
              new ContextScopes.Governed("profile", true, List.of(a)),
              new ContextScopes.Governed("email", true, List.of(b)),
              new ContextScopes.Governed("unlisted", false, List.of())),
          Set.of(),
          new ProtocolMapperModel[] {a, b, c},
          null);

  @Test
  void theScopesAGrantedSetLeavesOutAreDroppedWithTheirMappers() {
    ContextScopes.Dropped dropped = scopes.dropped(List.of("profile"));
    assertThat(dropped.scopes()).containsExactly("email", "unlisted");
    assertThat(dropped.plans())
        .isEqualTo(
            ClaimPlans.key(new ProtocolMapperModel[] {b}, new ProtocolMapperModel[] {a, b, c}));
    assertThat(scopes.dropped(List.of("profile", "email", "unlisted")).plans())
        .as("nothing dropped carries a mapper")
        .isNull();
    assertThat(scopes.unlisted()).containsExactly("unlisted");
    assertThat(scopes.governedNames()).containsExactly("profile", "email", "unlisted");
  }

  @Test
  void aGrantedSetAskedAgainIsAnsweredFromWhatWasKeptAndAtMostFourAreKept() {
    ContextScopes.Dropped first = scopes.dropped(List.of("profile"));
    assertThat(scopes.dropped(List.of("profile"))).isSameAs(first);
    for (String granted : List.of("email", "unlisted", "other", "more")) {
      scopes.dropped(List.of(granted));
    }
    assertThat(scopes.dropped(List.of("profile")))
        .as("replaced by later sets, worked out again")
        .isNotSameAs(first)
        .isEqualTo(first);
  }

  @Test
  void aGrantedSetTooLargeToKeepIsWorkedOutEachTime() {
    List<String> many = new java.util.ArrayList<>();
    for (int i = 0; i <= ContextScopes.MAX_GRANTED_SCOPES; i++) {
      many.add("scope" + i);
    }
    assertThat(scopes.dropped(many))
        .isNotSameAs(scopes.dropped(many))
        .isEqualTo(scopes.dropped(many));
    List<String> long1 = List.of("x".repeat(ContextScopes.MAX_GRANTED_CHARS + 1));
    assertThat(scopes.dropped(long1)).isNotSameAs(scopes.dropped(long1));
    List<String> fits = List.of("x".repeat(ContextScopes.MAX_GRANTED_CHARS));
    assertThat(scopes.dropped(fits)).isSameAs(scopes.dropped(fits));
  }

  @Test
  void aMapperIsRecognisedByIdentityNotByItsId() {
    assertThat(scopes.runs(b, 1)).isTrue();
    assertThat(scopes.runs(b, 0)).as("found wherever it is").isTrue();
    assertThat(scopes.runs(model("b"), 1)).as("an equal model read again is another").isFalse();
  }

  @Test
  void aKindOfTokenNoGovernedMapperWritesIsKnownToNeedNoFilter() {
    ProtocolMapperModel policy = model("policy");
    policy.setProtocolMapper(PolicyStore.MAPPER_PROVIDER_ID);
    ProtocolMapperModel userinfoOnly = model("u");
    userinfoOnly.setProtocolMapper("userinfo-only");
    ContextScopes read =
        new ContextScopes(
            List.of(
                new ContextScopes.Governed("profile", true, List.of(userinfoOnly)),
                new ContextScopes.Governed("policy", false, List.of(policy))),
            Set.of(),
            new ProtocolMapperModel[] {userinfoOnly, policy},
            null);
    List<String> asked = new ArrayList<>();
    Function<String, Object> providers =
        type -> {
          asked.add(type);
          return switch (type) {
            case "userinfo-only" ->
                (UserInfoTokenMapper) (token, model, session, userSession, ctx) -> token;
              // the policy mapper writes every kind: never counted
            default -> new TokenPolicyMapper();
          };
        };
    assertThat(read.governedWrite(ClaimFilter.Kind.USERINFO, providers)).isTrue();
    assertThat(read.governedWrite(ClaimFilter.Kind.RESPONSE, providers)).isFalse();
    assertThat(read.governedWrite(ClaimFilter.Kind.ACCESS, providers)).isFalse();
    assertThat(asked).as("worked out once, policies skipped").containsExactly("userinfo-only");
    assertThat(scopes.governedWrite(ClaimFilter.Kind.RESPONSE, type -> null))
        .as("a mapper type Keycloak has no provider for writes nothing")
        .isFalse();
  }
}
