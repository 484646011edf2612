package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.keycloak.ProviderMessages;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.keycloak.provider.ProviderConfigProperty;

/** Every text the mapper shows in the admin console comes from the JAR's message bundle. */
class MessageBundleTest {

  private static Properties bundle() throws IOException {
    Properties bundle = new Properties();
    try (InputStream in =
        MessageBundleTest.class.getClassLoader().getResourceAsStream(ProviderMessages.BUNDLE)) {
      assertThat(in).as(ProviderMessages.BUNDLE + " is packaged").isNotNull();
      bundle.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
    return bundle;
  }

  @Test
  void everyConfigLabelAndHelpTextIsAKeyOfTheBundle() throws IOException {
    Properties bundle = bundle();
    List<String> keys = new ArrayList<>();
    for (ProviderConfigProperty property : new TokenPolicyMapper().getConfigProperties()) {
      keys.add(property.getLabel());
      keys.add(property.getHelpText());
    }
    keys.add(TokenPolicyMapper.INVALID_POLICY_KEY);
    keys.add(TokenPolicyMapper.DISPLAY_TYPE_KEY);
    keys.add(TokenPolicyMapper.HELP_TEXT_KEY);

    assertThat(keys).allSatisfy(key -> assertThat(key).startsWith("pbs."));
    assertThat(bundle.stringPropertyNames()).containsAll(keys);
  }

  @Test
  void theDisplayTypeAndHelpTextAreResolvedFromTheBundle() throws IOException {
    Properties bundle = bundle();
    TokenPolicyMapper mapper = new TokenPolicyMapper();

    assertThat(mapper.getDisplayType())
        .isEqualTo(bundle.getProperty(TokenPolicyMapper.DISPLAY_TYPE_KEY))
        .isEqualTo("Token policy (policy-bound scopes)");
    assertThat(mapper.getHelpText()).isEqualTo(bundle.getProperty(TokenPolicyMapper.HELP_TEXT_KEY));
  }

  @Test
  void anUnknownKeyIsShownAsItIs() {
    assertThat(ProviderMessages.text("pbs.no.such.key")).isEqualTo("pbs.no.such.key");
  }
}
