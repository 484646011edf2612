package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.keycloak.models.ProtocolMapperModel;

/**
 * Which contexts and questions find a kept answer, and when none is kept: the models by identity,
 * everything else by value (docs/adr/0043). Each test uses models of its own, so the node-wide
 * cache shared by the tests cannot answer for another test.
 */
class ClaimPlansTest {

  private static final Map<String, String> DEFAULTS = Map.of("profile", "id-profile");
  private static final String OIDC = "openid-connect";

  private static ProtocolMapperModel model(String id) {
    ProtocolMapperModel model = new ProtocolMapperModel();
    model.setId(id + "-" + UUID.randomUUID());
    model.setName(id);
    model.setProtocol(OIDC);
    model.setProtocolMapper("oidc-hardcoded-claim-mapper");
    model.setConfig(Map.of("claim.name", id));
    return model;
  }

  /** A copy of a model: equal to Keycloak ({@code equals} by id), another object. */
  private static ProtocolMapperModel copy(ProtocolMapperModel model) {
    ProtocolMapperModel copy = new ProtocolMapperModel();
    copy.setId(model.getId());
    copy.setName(model.getName());
    copy.setProtocol(model.getProtocol());
    copy.setProtocolMapper(model.getProtocolMapper());
    copy.setConfig(model.getConfig());
    return copy;
  }

  private static ClaimPlans.Question question(List<String> granted) {
    return ClaimPlans.question(granted, DEFAULTS, OIDC, Set.of());
  }

  private static ClaimPlans.Context context(ProtocolMapperModel... models) {
    return ClaimPlans.context(models, () -> true);
  }

  @Test
  void anAnswerIsFoundByTheSameModelsAndAnEqualQuestion() {
    ProtocolMapperModel kept = model("kept");
    ProtocolMapperModel dropped = model("dropped");
    ClaimPlans.Answer answer =
        context(kept, dropped)
            .answer(question(List.of("openid")), List.of("email"), List.of(dropped));

    assertThat(context(kept, dropped).known(question(List.of("openid")))).isSameAs(answer);
    assertThat(answer.scopes()).containsExactly("email");
  }

  @Test
  void theSameGrantedScopesInAnotherOrderAskTheSameQuestion() {
    ProtocolMapperModel dropped = model("dropped");
    ClaimPlans.Answer answer =
        context(dropped)
            .answer(
                question(List.of("profile", "openid", "b")), List.of("email"), List.of(dropped));

    assertThat(context(dropped).known(question(List.of("b", "openid", "profile"))))
        .isSameAs(answer);
    assertThat(context(dropped).known(question(List.of("b", "openid")))).isNull();
  }

  @Test
  void anotherGrantedSetDefaultsProtocolOrParameterizedNamesAskAfresh() {
    ProtocolMapperModel kept = model("kept");
    ProtocolMapperModel dropped = model("dropped");
    ClaimPlans.Context context = context(kept, dropped);
    context.answer(question(List.of("openid")), List.of("email"), List.of(dropped));

    assertThat(context.known(question(List.of("openid", "email")))).isNull();
    assertThat(context.known(ClaimPlans.question(List.of("openid"), Map.of(), OIDC, Set.of())))
        .isNull();
    assertThat(context.known(ClaimPlans.question(List.of("openid"), DEFAULTS, "saml", Set.of())))
        .isNull();
    assertThat(
            context.known(
                ClaimPlans.question(List.of("openid"), DEFAULTS, OIDC, Set.of("organization"))))
        .isNull();
  }

  @Test
  void modelsEqualByIdButNotTheSameObjectsAreAnotherContext() {
    ProtocolMapperModel kept = model("kept");
    ProtocolMapperModel dropped = model("dropped");
    context(kept, dropped).answer(question(List.of("openid")), List.of("email"), List.of(dropped));

    assertThat(context(kept, copy(dropped)).known(question(List.of("openid"))))
        .as("a client scope Keycloak's realm cache built again")
        .isNull();
    assertThat(context(dropped, kept).known(question(List.of("openid"))))
        .as("another order is another context: a miss, never a wrong answer")
        .isNull();
  }

  @Test
  void noAnswerIsKeptWhoseDroppedMappersAreNotAmongTheContextsModels() {
    ProtocolMapperModel kept = model("kept");
    ProtocolMapperModel dropped = model("dropped");
    ClaimPlans.Context context = context(kept, dropped);

    ClaimPlans.Answer answer =
        context.answer(question(List.of("openid")), List.of("email"), List.of(copy(dropped)));

    assertThat(answer.scopes()).containsExactly("email");
    assertThat(context.known(question(List.of("openid"))))
        .as("models handed out afresh on every read (changed in this transaction)")
        .isNull();
  }

  @Test
  void aContextOfAClientOutsideTheRealmCacheKeepsNothing() {
    ProtocolMapperModel dropped = model("dropped");
    ProtocolMapperModel[] models = {dropped};
    ClaimPlans.context(models, () -> false)
        .answer(question(List.of("openid")), List.of("email"), List.of(dropped));

    assertThat(ClaimPlans.context(models, () -> false).known(question(List.of("openid")))).isNull();
    assertThat(context(dropped).known(question(List.of("openid")))).isNull();
  }

  @Test
  void noAnswerIsKeptForAGrantedSetPastItsBounds() {
    ProtocolMapperModel dropped = model("dropped");
    ClaimPlans.Context context = context(dropped);
    List<String> many = new ArrayList<>();
    for (int i = 0; i <= ClaimPlans.MAX_GRANTED; i++) {
      many.add("s" + i);
    }
    List<String> tooLong = List.of("x".repeat(ClaimPlans.MAX_GRANTED_CHARS + 1));
    List<String> atBounds = new ArrayList<>(many.subList(0, ClaimPlans.MAX_GRANTED - 1));
    int chars = atBounds.stream().mapToInt(String::length).sum();
    atBounds.add("y".repeat(ClaimPlans.MAX_GRANTED_CHARS - chars));

    for (List<String> granted : List.of(many, tooLong)) {
      context.answer(question(granted), List.of(), List.of(dropped));
      assertThat(context.known(question(granted))).as("%s", granted).isNull();
    }
    ClaimPlans.Answer kept = context.answer(question(atBounds), List.of(), List.of(dropped));
    assertThat(context.known(question(atBounds))).isSameAs(kept);
  }

  @Test
  void aFullContextLetsItsAnswersGoAndKeepsTheNext() {
    ProtocolMapperModel dropped = model("dropped");
    ClaimPlans.Context context = context(dropped);
    for (int i = 0; i < ClaimPlans.MAX_ANSWERS; i++) {
      context.answer(question(List.of("s" + i)), List.of(), List.of(dropped));
    }
    assertThat(context.known(question(List.of("s0")))).isNotNull();

    ClaimPlans.Answer next = context.answer(question(List.of("next")), List.of(), List.of(dropped));

    assertThat(context.known(question(List.of("next")))).isSameAs(next);
    assertThat(context.known(question(List.of("s0")))).isNull();
  }

  @Test
  void plansAreKeptPerSetOfDroppedMappersAcrossAnswers() {
    ProtocolMapperModel dropped = model("dropped");
    ClaimPlans.Context context = context(dropped, model("kept"));
    ClaimPlans.Answer first =
        context.answer(question(List.of("a")), List.of("x"), List.of(dropped));

    assertThat(
            context
                .answer(question(List.of("b")), List.of("x"), List.of(dropped))
                .sharesPlansWith(first))
        .isTrue();
  }

  @Test
  void aContextFullOfPlansLetsThemGoWithTheirAnswers() {
    ProtocolMapperModel[] models = new ProtocolMapperModel[ClaimPlans.MAX_PLANS + 1];
    for (int i = 0; i < models.length; i++) {
      models[i] = model("m" + i);
    }
    ClaimPlans.Context context = context(models);
    ClaimPlans.Answer first =
        context.answer(question(List.of("q0")), List.of("x"), List.of(models[0]));
    for (int i = 1; i < ClaimPlans.MAX_PLANS; i++) {
      context.answer(question(List.of("q" + i)), List.of("x"), List.of(models[i]));
    }
    assertThat(context.known(question(List.of("q0")))).isSameAs(first);

    context.answer(question(List.of("past")), List.of("x"), List.of(models[ClaimPlans.MAX_PLANS]));

    assertThat(context.known(question(List.of("q0"))))
        .as("an answer goes with the plans it holds")
        .isNull();
    assertThat(context.known(question(List.of("past")))).isNotNull();
    assertThat(
            context
                .answer(question(List.of("q0")), List.of("x"), List.of(models[0]))
                .sharesPlansWith(first))
        .as("made again once let go")
        .isFalse();
  }
}
