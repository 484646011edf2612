package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PlainScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenPolicyTest {

  @Test
  void removesDuplicatesKeepsOrderAndCopies() {
    List<String> scopes = new ArrayList<>(Arrays.asList("b", "a", "b", null, "*:**", "a"));
    TokenPolicy p = new TokenPolicy("id", "t", scopes, null, null);
    scopes.add("c");
    assertThat(p.allowedScopes()).containsExactly("b", "a", "*:**");
    assertThat(p.disallowedScopes()).isEqualTo(DisallowedScopesMode.IGNORE);
    assertThatThrownBy(() -> p.allowedScopes().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(new TokenPolicy(null, "t", null, 60, null).allowedScopes()).isEmpty();
    assertThat(TokenPolicy.MIN_LIFETIME).isEqualTo(60);
    assertThat(TokenPolicy.MAX_LIFETIME).isEqualTo(86400);
  }

  @Test
  void aBrokenPolicyGrantsNoConfigScopeButKeepsItsDenies() {
    // "-:config/clients/**/" does not parse: the deny it meant must not turn into more power
    TokenPolicy broken =
        new TokenPolicy(
            "b",
            "Broken",
            List.of("openid", "*:config/**", "-:config/clients/**/", "-:x"),
            null,
            null);
    TokenPolicy other = new TokenPolicy("o", "Other", List.of(".:**", "email"), null, null);
    EffectivePolicy p = EffectivePolicy.merge(List.of(broken, other));
    assertThat(p.broken()).containsExactly("Broken");
    assertThat(p.grants()).isEmpty();
    assertThat(p.denies()).extracting(ConfigScope::text).containsExactly("-:x");
    assertThat(p.covers(new PlainScope("openid"))).isTrue();
    assertThat(p.covers(new PlainScope("email"))).isTrue();
    assertThat(p.covers(ConfigScope.parse(".:config/clients"))).isFalse();

    TokenPolicy tooMany =
        new TokenPolicy(
            "m",
            "Many",
            java.util.stream.IntStream.rangeClosed(0, PolicyValidator.MAX_ALLOWED_SCOPES)
                .mapToObj(i -> "s" + i)
                .map(s -> s.equals("s0") ? "*:**" : s)
                .toList(),
            null,
            null);
    assertThat(EffectivePolicy.merge(List.of(tooMany)).grants()).isEmpty();
  }

  @Test
  void publicClientsGetNoConfigGrants() {
    EffectivePolicy p =
        EffectivePolicy.merge(
            List.of(new TokenPolicy("a", "A", List.of("openid", "*:**", "-:x"), 120, null)));
    EffectivePolicy publicOne = p.withoutConfigGrants();
    assertThat(publicOne.grants()).isEmpty();
    assertThat(publicOne.denies()).extracting(ConfigScope::text).containsExactly("-:x");
    assertThat(publicOne.covers(new PlainScope("openid"))).isTrue();
    assertThat(publicOne.accessTokenLifetime()).isEqualTo(120);
  }

  @Test
  void effectivePolicy() {
    TokenPolicy a = new TokenPolicy("a", "A", List.of("openid", "*:**", "-:x"), null, null);
    TokenPolicy b = new TokenPolicy("b", "B", List.of("-:x", "-:y", "email"), 900, null);
    TokenPolicy c = new TokenPolicy("c", "C", List.of(), 120, DisallowedScopesMode.IGNORE);
    EffectivePolicy p = EffectivePolicy.merge(List.of(a, b, c));
    assertThat(p.allowed())
        .containsExactly(
            new PlainScope("openid"),
            ConfigScope.parse("*:**"),
            ConfigScope.parse("-:x"),
            ConfigScope.parse("-:y"),
            new PlainScope("email"));
    assertThat(p.denies()).extracting(ConfigScope::text).containsExactly("-:x", "-:y");
    assertThat(p.grants()).extracting(ConfigScope::text).containsExactly("*:**");
    assertThat(p.accessTokenLifetime()).isEqualTo(120);
    assertThat(p.mode()).isEqualTo(DisallowedScopesMode.IGNORE);

    assertThat(p.broken()).isEmpty();

    EffectivePolicy none = EffectivePolicy.merge(List.of());
    assertThat(none.allowed()).isEmpty();
    assertThat(none.accessTokenLifetime()).isNull();
    assertThat(none.mode()).isEqualTo(DisallowedScopesMode.IGNORE);
    assertThat(EffectivePolicy.merge(List.of(a)).accessTokenLifetime()).isNull();

    EffectivePolicy original = EffectivePolicy.ofGrantedScopes(List.of("*:**", "-:x", "openid"));
    assertThat(original.mode()).isEqualTo(DisallowedScopesMode.IGNORE);
    assertThat(original.denies()).extracting(ConfigScope::text).containsExactly("-:x");
  }
}
