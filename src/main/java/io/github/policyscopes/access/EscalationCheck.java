package io.github.policyscopes.access;

import io.github.policyscopes.scope.ConfigScope;
import io.github.policyscopes.scope.Scopes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * No escalation: a caller of the config API may only hand out config grants its own token covers,
 * and may only lift a deny when it could write everything below it.
 */
public final class EscalationCheck {

  private EscalationCheck() {}

  /**
   * The config grant entries of {@code entries} the caller may not hand out, in order, without
   * duplicates. An entry is within the caller's power when some grant of the caller covers it and
   * no deny of the caller overlaps it (a deny reaching below what it matches). Plain scopes, deny
   * entries and malformed entries are not powers and are never reported.
   */
  public static List<String> exceeding(ScopeSet caller, Collection<String> entries) {
    List<String> out = new ArrayList<>();
    if (entries == null) {
      return out;
    }
    for (String entry : new LinkedHashSet<>(entries)) {
      ConfigScope scope = Scopes.configOrNull(entry);
      if (scope != null && scope.isGrant() && !withinPower(caller, scope)) {
        out.add(entry);
      }
    }
    return out;
  }

  /** Whether the caller's token may hand out {@code grant}. */
  public static boolean withinPower(ScopeSet caller, ConfigScope grant) {
    for (ConfigScope deny : caller.denies()) {
      if (deny.overlaps(grant)) {
        return false;
      }
    }
    for (ConfigScope g : caller.grants()) {
      if (g.covers(grant)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The deny entries of {@code before} that {@code after} no longer holds and that the caller could
   * not lift: lifting a deny gives back everything below it, so the caller must hold write power on
   * all of it ({@code *:} the deny's pattern and everything below) with no deny of its own in the
   * way. A deny whose reach cannot even be written as a scope within the limits is never liftable.
   */
  public static List<String> unliftable(
      ScopeSet caller, Collection<String> before, Collection<String> after) {
    Set<ConfigScope> kept = new HashSet<>();
    for (String entry : after == null ? List.<String>of() : after) {
      ConfigScope scope = Scopes.configOrNull(entry);
      if (scope != null && scope.isDeny()) {
        kept.add(scope);
      }
    }
    List<String> out = new ArrayList<>();
    for (String entry : before == null ? List.<String>of() : new LinkedHashSet<>(before)) {
      ConfigScope deny = Scopes.configOrNull(entry);
      if (deny == null || !deny.isDeny() || kept.contains(deny)) {
        continue;
      }
      ConfigScope reach = Scopes.configOrNull("*:" + deny.pattern().withDescendants());
      if (reach == null || !withinPower(caller, reach)) {
        out.add(entry);
      }
    }
    return out;
  }
}
