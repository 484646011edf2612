package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CeilingTest {

  @Test
  void noneIsNotAnEmptyGrant() {
    assertThat(Ceiling.NONE.isSet()).isFalse();
    assertThatThrownBy(Ceiling.NONE::scopes).isInstanceOf(IllegalStateException.class);
    Ceiling empty = Ceiling.of(List.of());
    assertThat(empty.isSet()).isTrue();
    assertThat(empty.scopes()).isEmpty();
    assertThat(empty).isNotEqualTo(Ceiling.NONE);
    assertThat(Ceiling.of(List.of("openid"))).isEqualTo(Ceiling.of(List.of("openid")));
  }

  @Test
  void noCeilingLetsThePolicyDecideAnEmptyOneGrantsNothing() {
    EffectivePolicy policy =
        EffectivePolicy.of(List.of("openid", ".:config/**"), DisallowedScopesMode.IGNORE, null);
    List<String> asked = List.of("openid", ".:config/clients");
    assertThat(IssuanceDecision.decide(asked, List.of(), Ceiling.NONE, policy).granted())
        .containsExactlyElementsOf(asked);
    assertThat(IssuanceDecision.decide(asked, List.of(), Ceiling.of(List.of()), policy).granted())
        .isEmpty();
    assertThat(
            IssuanceDecision.decide(asked, List.of(), Ceiling.of(List.of("openid")), policy)
                .granted())
        .containsExactly("openid");
  }
}
