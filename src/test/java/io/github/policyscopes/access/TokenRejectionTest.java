package io.github.policyscopes.access;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.access.TokenRejection.Findings;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

/** The words of a refused bearer token: the first thing wrong with it, and never the token. */
class TokenRejectionTest {

  private static TokenRejection classify(
      boolean parsed, Boolean issuer, boolean signature, boolean access, boolean expired) {
    return TokenRejection.classify(new Findings(parsed, issuer, signature, access, expired));
  }

  @Test
  void eachCaseHasItsOwnReason() {
    assertThat(classify(false, null, false, false, false)).isEqualTo(TokenRejection.NOT_A_JWT);
    assertThat(classify(true, false, false, true, true)).isEqualTo(TokenRejection.OTHER_ISSUER);
    assertThat(classify(true, true, false, true, false)).isEqualTo(TokenRejection.BAD_SIGNATURE);
    assertThat(classify(true, true, true, false, true))
        .isEqualTo(TokenRejection.NOT_AN_ACCESS_TOKEN);
    assertThat(classify(true, true, true, true, true)).isEqualTo(TokenRejection.EXPIRED);
    assertThat(classify(true, true, true, true, false)).isEqualTo(TokenRejection.REVOKED);
  }

  @Test
  void anUnsignedTokenWithoutIssuerIsABadSignature() {
    // alg none, no iss: nothing says which realm it claims, and no key of this one signed it
    assertThat(classify(true, null, false, true, false)).isEqualTo(TokenRejection.BAD_SIGNATURE);
    // signed here without an iss (never issued by Keycloak): still not this realm's token
    assertThat(classify(true, null, true, true, false)).isEqualTo(TokenRejection.OTHER_ISSUER);
  }

  @Test
  void anotherRealmsTokenIsNamedAsSuchWhateverItsSignature() {
    assertThat(classify(true, false, true, true, false)).isEqualTo(TokenRejection.OTHER_ISSUER);
    assertThat(classify(true, false, false, false, true)).isEqualTo(TokenRejection.OTHER_ISSUER);
  }

  @Test
  void descriptionsAreDistinctAndNameOnlyTheRealm() {
    assertThat(
            java.util.Arrays.stream(TokenRejection.values())
                .map(r -> r.description("demo"))
                .distinct())
        .hasSize(TokenRejection.values().length);
    assertThat(TokenRejection.OTHER_ISSUER.description("demo")).endsWith("of realm demo");
    assertThat(TokenRejection.EXPIRED.description("demo"))
        .isEqualTo("The access token has expired; get a new one");
  }

  @Property
  void noDescriptionNeedsQuotingInAChallenge(@ForAll TokenRejection rejection) {
    // an RFC 6750 error_description is a quoted-string of %x20-21 / %x23-5B / %x5D-7E
    assertThat(rejection.description("demo"))
        .matches("[\\x20\\x21\\x23-\\x5B\\x5D-\\x7E]+")
        .doesNotContain("\"");
  }

  @Property
  void onlyAParsedTokenIsMoreThanNotAJwt(
      @ForAll boolean issuer, @ForAll boolean signature, @ForAll boolean access) {
    assertThat(classify(false, issuer, signature, access, true))
        .isEqualTo(TokenRejection.NOT_A_JWT);
  }
}
