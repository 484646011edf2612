package io.github.policyscopes.it.foreign;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.keycloak.protocol.oidc.grants.OAuth2GrantTypeFactory;

/** Writes the provider JAR of {@link ForeignGrantTypeFactory} from the compiled test classes. */
public final class ForeignGrant {

  private ForeignGrant() {}

  /** Writes {@code foreign-grant.jar} into a Keycloak home's {@code providers/}; returns it. */
  public static Path install(Path keycloakHome) throws IOException {
    Path jar = keycloakHome.resolve("providers/foreign-grant.jar");
    Files.createDirectories(jar.getParent());
    String classFile = ForeignGrantTypeFactory.class.getName().replace('.', '/') + ".class";
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().putValue("Manifest-Version", "1.0");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file, manifest);
        InputStream bytes =
            ForeignGrantTypeFactory.class.getClassLoader().getResourceAsStream(classFile)) {
      if (bytes == null) {
        throw new IOException("compiled class not found: " + classFile);
      }
      out.putNextEntry(new JarEntry(classFile));
      bytes.transferTo(out);
      out.closeEntry();
      out.putNextEntry(new JarEntry("META-INF/services/" + OAuth2GrantTypeFactory.class.getName()));
      out.write((ForeignGrantTypeFactory.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
