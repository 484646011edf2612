package io.github.policyscopes.access;

import io.github.policyscopes.scope.Access;
import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.PathPattern;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Which members of one collection ({@code config/tokenPolicies}) a caller may read, decided once
 * for the whole collection where that is exact: a list filters thousands of members by the decision
 * a {@code GET} of each gets ({@link ScopeSet#decide}), and most callers may read them all.
 *
 * <p>When a grant of the caller covers every member ({@code .:config/tokenPolicies/*} is within its
 * power but for denies), a member path (canonical, one segment below the collection) is readable
 * unless one of the caller's denies that can reach a member applies to it; only those denies are
 * tried. When moreover no deny can reach a member, every member path is readable ({@link
 * #everyMember}) and a list needs no decision per member. Any other path gets the full decision.
 * The answer is always the one {@code decide("GET", path)} gives: a covering grant matches every
 * member path, and a deny whose reach does not intersect the members' pattern applies to none.
 */
public final class CollectionReads {

  private final ScopeSet caller;
  private final PathPattern members;
  private final boolean covered;
  private final ConfigScope[] reachingDenies;

  private CollectionReads(ScopeSet caller, String collectionPath) {
    this.caller = caller;
    ConfigScope member = memberScope(collectionPath);
    this.members = member.pattern();
    boolean grants = false;
    for (ConfigScope g : caller.grants()) {
      grants |= g.covers(member);
    }
    List<ConfigScope> reaching = new ArrayList<>();
    for (ConfigScope d : caller.denies()) {
      if (d.overlaps(member)) {
        reaching.add(d);
      }
    }
    this.covered = grants;
    this.reachingDenies = reaching.toArray(ConfigScope[]::new);
  }

  /** The caller's reads of the members of {@code collectionPath} ({@code config/tokenPolicies}). */
  public static CollectionReads of(ScopeSet caller, String collectionPath) {
    return new CollectionReads(caller, collectionPath);
  }

  /**
   * Whether every member path ({@link #isMember}) is readable by the caller: a grant covers them
   * all and no deny of the caller can reach one.
   */
  public boolean everyMember() {
    return covered && reachingDenies.length == 0;
  }

  /**
   * Whether {@code path} is a member path of the collection: canonical, one segment below it, and
   * no secret (so a {@code GET} of it needs read).
   */
  public boolean isMember(String path) {
    return isMember(members, path);
  }

  /**
   * The test of {@link #isMember} for one collection, whoever the caller: a list's index asks it
   * once per member when it is read, so that {@link #everyMember} needs no decision per member.
   */
  public static Predicate<String> memberPaths(String collectionPath) {
    PathPattern members = memberScope(collectionPath).pattern();
    return path -> isMember(members, path);
  }

  private static boolean isMember(PathPattern members, String path) {
    return members.matches(path)
        && RequestPaths.isCanonical(path)
        && RequestAccess.required("GET", path) == Access.READ;
  }

  private static ConfigScope memberScope(String collectionPath) {
    return Objects.requireNonNull(
        Scopes.configOrNull(Access.READ.symbol() + ":" + collectionPath + "/*"), "collection path");
  }

  /** Whether the caller may read {@code path}: exactly {@code decide("GET", path).allowed()}. */
  public boolean canRead(String path) {
    if (covered && isMember(path)) {
      for (ConfigScope d : reachingDenies) {
        if (d.appliesTo(path)) {
          return false;
        }
      }
      return true;
    }
    return caller.decide("GET", path).allowed();
  }
}
