package io.github.policyscopes.policy;

import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * What has to happen to one token so that it carries no claim of a dropped client scope (invariant
 * I4), planned from what each mapper can write instead of from running them all.
 *
 * <p>The rule it must give the same tokens as (ADR 0010, 0034): run every dropped mapper on a
 * scratch token, every kept one on another, and take out of the real token, value by value ({@link
 * ClaimDiff#subtract}), what the dropped ones wrote and the kept ones did not. The plan knows, from
 * the mappers' descriptions ({@link Mapper}), where that rule is a plain removal:
 *
 * <ul>
 *   <li>a path a dropped mapper can write, that no kept mapper can write at, above or below, and
 *       nothing outside the mappers writes ({@code shared}), holds only what dropped mappers wrote:
 *       it is {@linkplain #removals() removed outright}, nothing runs;
 *   <li>every other dropped mapper (its output unknown, or a path that collides with the kept side
 *       or a shared claim) {@linkplain #droppedToRun() runs on a scratch token}, and of the kept
 *       ones only those that can write what it wrote ({@link #keptToRun}): every unknown one and
 *       the known ones with a path under the same claim. Then {@link ClaimDiff#subtract} as before.
 * </ul>
 *
 * <p>Paths under a claim in {@code untouchable} (what Keycloak sets before any mapper: {@code sub},
 * {@code scope}, …) are never removed, as before. A mapper that reads other mappers' claims from
 * the token (a script) must be described as unknown; it then sees only the claims the scratch token
 * starts with, as before.
 */
public final class ClaimPlan {

  /**
   * A claim path a mapper can write: the segments from the top-level claim down; {@code open} when
   * a segment after these is not known before the mapper runs (a {@code ${client_id}} placeholder),
   * so the mapper can write anywhere below.
   */
  public record Path(List<String> segments, boolean open) {

    /** Checks that there is a top-level claim. */
    public Path {
      segments = List.copyOf(segments);
      if (segments.isEmpty()) {
        throw new IllegalArgumentException("a claim path names at least its top-level claim");
      }
    }

    /** A fully known path. */
    public static Path of(String... segments) {
      return new Path(List.of(segments), false);
    }

    /** The top-level claim. */
    public String claim() {
      return segments.get(0);
    }

    long estimatedBytes() {
      return Footprint.object(2) + Footprint.strings(segments);
    }

    /** Whether one of the two is this path or lies below the other. */
    boolean meets(Path other) {
      int common = Math.min(segments.size(), other.segments.size());
      for (int i = 0; i < common; i++) {
        if (!segments.get(i).equals(other.segments.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  /**
   * A mapper that writes into this kind of token, as the plan sees it.
   *
   * @param id identifies the mapper for {@link #droppedToRun()} and {@link #keptToRun}
   * @param paths where it can write, or null when that is not known before it runs
   */
  public record Mapper(String id, @Nullable List<Path> paths) {

    /** Copies the paths. */
    public Mapper {
      paths = paths == null ? null : List.copyOf(paths);
    }

    /** A mapper whose output is known only by running it. */
    public static Mapper unknown(String id) {
      return new Mapper(id, null);
    }

    /** A mapper that writes at most at these paths. */
    public static Mapper writing(String id, Path... paths) {
      return new Mapper(id, List.of(paths));
    }
  }

  /** The scratch runs a plan needs, done by the caller. */
  public interface Scratch {

    /**
     * What these mappers write, run in the server's order on a scratch token that holds only what a
     * token holds before any mapper ran: per top-level claim, its value beyond that start.
     */
    Map<String, Object> contribution(List<String> mapperIds);
  }

  /** The claims of the real token, read and written by top-level name. */
  public interface Claims {

    /** The claim's value as a plain JSON tree, null when absent. */
    @Nullable Object get(String claim);

    /** Sets the claim's value, or removes it when null. */
    void set(String claim, @Nullable Object value);
  }

  /** The plan that changes nothing and runs nothing: no dropped mapper writes into the token. */
  public static final ClaimPlan NONE = new ClaimPlan(List.of(), List.of(), List.of(), Set.of());

  private final List<Path> removals;
  private final List<String> droppedToRun;
  private final List<Mapper> kept;
  private final Set<String> untouchable;

  private ClaimPlan(
      List<Path> removals, List<String> droppedToRun, List<Mapper> kept, Set<String> untouchable) {
    this.removals = removals;
    this.droppedToRun = droppedToRun;
    this.kept = kept;
    this.untouchable = untouchable;
  }

  /**
   * Plans the filtering of one kind of token.
   *
   * @param dropped the mappers of the dropped client scopes that write into this kind of token
   * @param kept every other mapper of the context that writes into it
   * @param shared top-level claims something other than these mappers writes too (value by value)
   * @param untouchable top-level claims that are never removed
   */
  public static ClaimPlan of(
      List<Mapper> dropped, List<Mapper> kept, Set<String> shared, Set<String> untouchable) {
    boolean keptUnknown = kept.stream().anyMatch(m -> m.paths() == null);
    List<Path> keptPaths = new ArrayList<>();
    kept.forEach(m -> keptPaths.addAll(m.paths() == null ? List.of() : m.paths()));
    Map<Mapper, List<Path>> known = new LinkedHashMap<>();
    Set<Mapper> run = new LinkedHashSet<>();
    for (Mapper m : dropped) {
      List<Path> paths = m.paths();
      if (paths == null) {
        run.add(m);
        continue;
      }
      List<Path> touchable = paths.stream().filter(p -> !untouchable.contains(p.claim())).toList();
      if (touchable.isEmpty()) {
        continue;
      }
      known.put(m, touchable);
      if (keptUnknown
          || touchable.stream()
              .anyMatch(
                  p ->
                      p.open()
                          || shared.contains(p.claim())
                          || keptPaths.stream().anyMatch(p::meets))) {
        run.add(m);
      }
    }
    // a dropped mapper whose path meets one of a dropped mapper that runs runs too: what they
    // write there together (a merged list) is known only together
    boolean grew = !run.isEmpty();
    while (grew) {
      grew = false;
      boolean anyUnknown = run.stream().anyMatch(m -> m.paths() == null);
      for (Map.Entry<Mapper, List<Path>> e : known.entrySet()) {
        if (!run.contains(e.getKey())
            && (anyUnknown || e.getValue().stream().anyMatch(p -> meetsAny(p, run, known)))) {
          run.add(e.getKey());
          grew = true;
        }
      }
    }
    Set<Path> removals = new LinkedHashSet<>();
    known.forEach(
        (m, paths) -> {
          if (!run.contains(m)) {
            removals.addAll(paths);
          }
        });
    List<String> runIds = dropped.stream().filter(run::contains).map(Mapper::id).toList();
    return new ClaimPlan(List.copyOf(removals), runIds, List.copyOf(kept), untouchable);
  }

  private static boolean meetsAny(Path path, Set<Mapper> run, Map<Mapper, List<Path>> known) {
    return run.stream()
        .map(known::get)
        .filter(Objects::nonNull)
        .flatMap(List::stream)
        .anyMatch(path::meets);
  }

  /**
   * The bytes the plan retains, estimated ({@link Footprint}); the sets of top-level claims given
   * to {@link #of} are shared and not counted.
   */
  public long estimatedBytes() {
    long bytes =
        Footprint.object(4)
            + Footprint.list(removals.size())
            + Footprint.strings(droppedToRun)
            + Footprint.list(kept.size());
    for (Path p : removals) {
      bytes += p.estimatedBytes();
    }
    for (Mapper m : kept) {
      bytes += Footprint.object(2) + Footprint.string(m.id());
      List<Path> paths = m.paths();
      if (paths != null) {
        bytes += Footprint.list(paths.size());
        for (Path p : paths) {
          bytes += p.estimatedBytes();
        }
      }
    }
    return bytes;
  }

  /** Whether the plan changes nothing and runs nothing. */
  public boolean isEmpty() {
    return removals.isEmpty() && droppedToRun.isEmpty();
  }

  /** The paths removed outright. */
  public List<Path> removals() {
    return removals;
  }

  /** The dropped mappers that run on a scratch token. */
  public List<String> droppedToRun() {
    return droppedToRun;
  }

  /**
   * The kept mappers that run on a scratch token once the dropped ones wrote these top-level
   * claims: every unknown one, and the known ones that can write under one of them.
   */
  public List<String> keptToRun(Set<String> claims) {
    return kept.stream()
        .filter(
            m -> m.paths() == null || m.paths().stream().anyMatch(p -> claims.contains(p.claim())))
        .map(Mapper::id)
        .toList();
  }

  /**
   * Carries the plan out on a token.
   *
   * @return the top-level claims it changed
   */
  public Set<String> apply(Claims token, Scratch scratch) {
    Set<String> changed = new LinkedHashSet<>();
    for (Path path : removals) {
      Object value = token.get(path.claim());
      if (value == null) {
        continue;
      }
      Object left = ClaimDiff.without(value, path.segments().subList(1, path.segments().size()));
      if (left != value) {
        token.set(path.claim(), left);
        changed.add(path.claim());
      }
    }
    if (droppedToRun.isEmpty()) {
      return changed;
    }
    Map<String, Object> dropped = new LinkedHashMap<>(scratch.contribution(droppedToRun));
    dropped.keySet().removeAll(untouchable);
    if (dropped.isEmpty()) {
      return changed;
    }
    List<String> keptIds = keptToRun(dropped.keySet());
    Map<String, Object> keptWrote = keptIds.isEmpty() ? Map.of() : scratch.contribution(keptIds);
    for (Map.Entry<String, Object> e : dropped.entrySet()) {
      Object current = token.get(e.getKey());
      if (current == null) {
        continue;
      }
      Object left = ClaimDiff.subtract(current, e.getValue(), keptWrote.get(e.getKey()));
      if (left != current) {
        token.set(e.getKey(), left);
        changed.add(e.getKey());
      }
    }
    return changed;
  }
}
