package io.github.policyscopes.keycloak;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.Collections;
import java.util.List;
import java.util.Properties;

/**
 * The English texts of this JAR's message bundle ({@code
 * theme-resources/messages/messages_en.properties}), for the few places where Keycloak 26.7's admin
 * console shows a provider's text as it is instead of resolving it as a message key: the protocol
 * mapper's display type and help text ({@code MapperDialog.tsx}, {@code MapperList.tsx}, {@code
 * MappingDetails.tsx} render {@code name} and {@code helpText} of {@code
 * serverinfo.protocolMapperTypes} untranslated). Config property labels and help texts are keys:
 * the console resolves them itself from the same bundle ({@code
 * /resources/{realm}/admin/{locale}}).
 */
public final class ProviderMessages {

  /** Where Keycloak reads a provider JAR's theme messages, base bundle {@code messages}. */
  public static final String BUNDLE = "theme-resources/messages/messages_en.properties";

  private static final Properties TEXTS = load();

  private ProviderMessages() {}

  /** The English text of {@code key}, or the key itself when the bundle lacks it. */
  public static String text(String key) {
    return TEXTS.getProperty(key, key);
  }

  private static Properties load() {
    ClassLoader loader = ProviderMessages.class.getClassLoader();
    Properties texts = new Properties();
    try {
      // Keycloak runs every provider JAR in one class loader: several JARs may carry the bundle,
      // prefer this JAR's copy
      List<URL> bundles = Collections.list(loader.getResources(BUNDLE));
      URL ours = bundles.stream().filter(ProviderMessages::isOurs).findFirst().orElse(null);
      if (ours == null && !bundles.isEmpty()) {
        ours = bundles.get(0);
      }
      if (ours != null) {
        try (InputStream in = ours.openStream()) {
          texts.load(new InputStreamReader(in, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + BUNDLE, e);
    }
    return texts;
  }

  private static boolean isOurs(URL bundle) {
    CodeSource source = ProviderMessages.class.getProtectionDomain().getCodeSource();
    return source != null
        && source.getLocation() != null
        && bundle.toString().contains(source.getLocation().getPath());
  }
}
