package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** What is left of a claim once the contribution of the dropped client scopes is taken out. */
class ClaimFilterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static JsonNode subtract(String current, String dropped, String kept) {
    return ClaimFilter.subtract(json(current), json(dropped), kept == null ? null : json(kept));
  }

  @Test
  void aClaimOnlyADroppedScopeWroteIsRemoved() {
    assertThat(subtract("'a@example.com'", "'a@example.com'", null)).isNull();
    assertThat(subtract("true", "true", null)).isNull();
  }

  @Test
  void aClaimAKeptScopeAlsoWritesGetsTheKeptValue() {
    assertThat(subtract("'dropped'", "'dropped'", "'kept'")).isEqualTo(json("'kept'"));
    assertThat(subtract("'same'", "'same'", "'same'")).isEqualTo(json("'same'"));
  }

  @Test
  void aValueSomeoneElseWroteStays() {
    assertThat(subtract("'other'", "'dropped'", null)).isEqualTo(json("'other'"));
  }

  @Test
  void listsLoseOnlyTheValuesOnlyADroppedScopeContributed() {
    assertThat(subtract("['api','self']", "'api'", null)).isEqualTo(json("['self']"));
    assertThat(subtract("['api','self','both']", "['api','both']", "['both']"))
        .isEqualTo(json("['self','both']"));
    assertThat(subtract("'api'", "['api']", null)).isNull();
    assertThat(subtract("['self']", "['api']", null)).isEqualTo(json("['self']"));
  }

  @Test
  void objectsAreFilteredMemberByMember() {
    assertThat(
            subtract(
                "{'roles':['user','admin'],'street':'x'}",
                "{'roles':['admin'],'street':'x'}",
                "{'roles':['user']}"))
        .isEqualTo(json("{'roles':['user']}"));
    assertThat(subtract("{'street':'x'}", "{'street':'x'}", null)).isNull();
  }
}
