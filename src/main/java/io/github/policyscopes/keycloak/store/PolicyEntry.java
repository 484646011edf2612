package io.github.policyscopes.keycloak.store;

import io.github.policyscopes.scope.Footprint;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.keycloak.models.ClientScopeModel;

/**
 * One token policy as the config API shows it, read once per version ({@link PolicyCache}): its
 * title, its parsed config (every policy mapper on the scope merged), how many policy mappers it
 * carries and its bindings (bounded, {@link PolicyIndex.Bindings}).
 *
 * @param id the policy's client scope id
 * @param title {@link PolicyStore#titleOf}
 * @param config the merged config of its policy mappers
 * @param mapperCount how many policy mappers the scope carries
 * @param bindings the clients that have it as a client scope
 * @param allowedSorted the allowed entries, sorted (as a view shows them)
 * @param contentWarnings the warnings of its content ({@link PolicyWarnings#of}, without the realm
 *     default one, which depends on the realm)
 */
public record PolicyEntry(
    String id,
    String title,
    PolicyConfig config,
    long mapperCount,
    PolicyIndex.Bindings bindings,
    List<String> allowedSorted,
    List<String> contentWarnings) {

  /** The entry of a policy scope with its bindings; null when the scope is no policy. */
  public static @Nullable PolicyEntry of(ClientScopeModel scope, PolicyIndex.Bindings bindings) {
    PolicyConfig config = PolicyStore.configOf(scope);
    if (config == null) {
      return null;
    }
    long mappers = PolicyStore.mapperCount(scope);
    return new PolicyEntry(
        scope.getId(),
        PolicyStore.titleOf(scope),
        config,
        mappers,
        bindings,
        config.allowedScopes().stream().sorted().toList(),
        List.copyOf(PolicyWarnings.of(config, mappers)));
  }

  /** A conservative estimate of the heap this entry retains ({@link Footprint}). */
  public long estimatedBytes() {
    long bytes = Footprint.object(5) + Footprint.string(id) + Footprint.string(title);
    bytes += config.estimatedBytes();
    bytes += Footprint.list(allowedSorted.size()) + Footprint.strings(contentWarnings);
    return bytes + bindings.estimatedBytes();
  }
}
