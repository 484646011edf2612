package io.github.policyscopes.keycloak.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.DisallowedScopesMode;
import io.github.policyscopes.policy.PolicyValidator.FieldError;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/** The stored form of a policy: what is validated is exactly what is read back (invariant I1). */
class PolicyConfigTest {

  @Test
  void theMultivalueSeparatorCannotSplitAnEntry() {
    // the critical hole: validated as one plain scope, stored "##"-joined, read back as two
    PolicyConfig sent = PolicyConfig.of(List.of("openid##*:**"), null, null);
    assertThat(sent.isValid()).isFalse();
    assertThat(sent.problems()).extracting(FieldError::field).containsExactly("allowedScopes[0]");
    assertThat(sent.problems().get(0).message()).contains("##");

    for (String entry : List.of("a#", "#a", "x##", "*:a/b#", "#")) {
      assertThat(PolicyConfig.of(List.of("openid", entry), null, null).problems())
          .as(entry)
          .extracting(FieldError::field)
          .contains("allowedScopes[1]");
    }
    // a lone "#" inside an entry is a valid OAuth scope character and round-trips
    PolicyConfig ok = PolicyConfig.of(List.of("a#b", "openid"), null, null);
    assertThat(ok.isValid()).isTrue();
    assertThat(PolicyConfig.read(ok.toConfig()).allowedScopes()).containsExactly("a#b", "openid");
  }

  @Property(tries = 3000)
  void everyAcceptedEntryListReadsBackIdentical(@ForAll("entryLists") List<String> entries) {
    PolicyConfig sent = PolicyConfig.of(entries, null, "reject");
    Statistics.collect(sent.isValid() ? "accepted" : "refused");
    if (sent.isValid()) {
      PolicyConfig back = PolicyConfig.read(sent.toConfig());
      assertThat(back.isValid()).isTrue();
      assertThat(back.allowedScopes()).isEqualTo(entries.stream().distinct().toList());
      assertThat(back.disallowedScopes()).isEqualTo(DisallowedScopesMode.REJECT);
    }
  }

  @Provide
  Arbitrary<List<String>> entryLists() {
    Arbitrary<String> adversarial =
        Arbitraries.strings().withChars("#*:/.-ab ").ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> known =
        Arbitraries.of(
            "openid", "*:**", ".:**", "-:config/x", "a##b", "x#", "#y", "a#b", "*:config/**");
    return Arbitraries.oneOf(adversarial, known).list().ofMinSize(0).ofMaxSize(6);
  }

  @Test
  void readingIsLenientAndReportsWhatIsWrong() {
    PolicyConfig read =
        PolicyConfig.read(
            Map.of(
                "allowedScopes", "openid##*:config/**##-:config/clients/**/",
                "accessTokenLifetime", "soon",
                "disallowedScopes", "sometimes"));
    assertThat(read.allowedScopes())
        .containsExactly("openid", "*:config/**", "-:config/clients/**/");
    assertThat(read.accessTokenLifetime()).isNull();
    assertThat(read.disallowedScopes()).isEqualTo(DisallowedScopesMode.REJECT);
    assertThat(read.problems())
        .extracting(FieldError::field)
        .containsExactly("allowedScopes[2]", "accessTokenLifetime", "disallowedScopes");
    // and the issuance core fails closed on it
    assertThat(
            io.github.policyscopes.policy.EffectivePolicy.merge(
                    List.of(read.toPolicy("id", "title")))
                .grants())
        .isEmpty();
  }

  @Test
  void severalMappersOfOneScopeAllCount() {
    PolicyConfig a =
        PolicyConfig.read(Map.of("allowedScopes", "openid", "accessTokenLifetime", "600"));
    PolicyConfig b =
        PolicyConfig.read(
            Map.of(
                "allowedScopes",
                "*:**",
                "accessTokenLifetime",
                "300",
                "disallowedScopes",
                "reject"));
    PolicyConfig merged = a.mergedWith(b);
    assertThat(merged.allowedScopes()).containsExactly("openid", "*:**");
    assertThat(merged.accessTokenLifetime()).isEqualTo(300);
    assertThat(merged.disallowedScopes()).isEqualTo(DisallowedScopesMode.REJECT);
  }
}
