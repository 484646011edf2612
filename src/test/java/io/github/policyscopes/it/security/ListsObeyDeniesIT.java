package io.github.policyscopes.it.security;

import static io.github.policyscopes.it.Fixtures.CONFIG_POLICY_ID;
import static io.github.policyscopes.it.ReplyAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.policyscopes.it.Fixtures;
import io.github.policyscopes.it.OnSharedKeycloak;
import io.github.policyscopes.it.Reply;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * invariant I2 of docs/contract.md, deny wins in lists: {@code GET config/tokenPolicies} and {@code
 * GET config/clients} list only the members the token may read ({@code GET
 * config/{collection}/{id}}), {@code total} counts the same set, and paging walks the filtered set.
 */
class ListsObeyDeniesIT extends OnSharedKeycloak {

  private static List<String> ids(JsonNode list, String collection) {
    List<String> ids = new ArrayList<>();
    list.path(collection).forEach(member -> ids.add(member.path("id").asText()));
    return ids;
  }

  /** Every page of a list, one member per page; also checks {@code total} on each page. */
  private static List<String> walk(String token, String collection, int total) {
    List<String> ids = new ArrayList<>();
    for (int first = 0; first < total + 2; first++) {
      Reply page = api.get(token, "config/" + collection + "?first=" + first + "&max=1");
      assertThat(page).hasStatus(200).hasJson("/total", total);
      ids.addAll(ids(page.json(), collection));
    }
    return ids;
  }

  private static void assertListHides(String token, String collection, String hidden) {
    Reply member = api.get(token, "config/" + collection + "/" + hidden);
    assertThat(member).as("the member itself is denied: " + member).hasStatus(403);

    Reply list = api.get(token, "config/" + collection + "?max=1000");
    assertThat(list).hasStatus(200);
    List<String> listed = ids(list.json(), collection);
    assertThat(listed).doesNotContain(hidden);
    assertThat(list.body()).doesNotContain(hidden);
    int total = list.json().path("total").asInt();
    assertThat(total).as("total counts what is listed").isEqualTo(listed.size());
    for (String id : listed) {
      assertThat(api.get(token, "config/" + collection + "/" + id))
          .as("every listed member is readable: " + id)
          .hasStatus(200);
    }
    assertThat(walk(token, collection, total)).containsExactlyElementsOf(listed);
  }

  @Test
  void theStickyDenyHidesConfigAdminsOwnPolicyFromTheList() {
    assertListHides(fixtures.allPowerToken(), "tokenPolicies", CONFIG_POLICY_ID);
    // the reader, whom nothing denies, sees it
    Reply reader = api.get(fixtures.configReader(), "config/tokenPolicies?max=1000");
    assertThat(ids(reader.json(), "tokenPolicies")).contains(CONFIG_POLICY_ID);
  }

  @Test
  void aDenyOnAClientHidesItFromTheList() {
    String hidden =
        api.createClient(fixtures.allPowerToken(), Fixtures.unique("hidden")).get("id").asText();
    Fixtures.Bound bound =
        fixtures.boundClient("lists", List.of("*:**", "-:config/clients/" + hidden));
    String token = bound.token("*:**");
    assertListHides(token, "clients", hidden);
    assertThat(ids(api.get(fixtures.configReader(), "config/clients?max=1000").json(), "clients"))
        .contains(hidden);
  }

  @Test
  void aDenyOnEveryMemberLeavesAnEmptyList() {
    String token = fixtures.configAdmin(".:config/clients -:config/clients/*");
    Reply list = api.get(token, "config/clients");
    assertThat(list).hasStatus(200);
    assertThat(list.json().path("total").asInt()).isZero();
    assertThat(list.json().path("clients")).isEmpty();
  }
}
