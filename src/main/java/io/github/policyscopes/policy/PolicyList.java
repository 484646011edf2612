package io.github.policyscopes.policy;

import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The token policies of one realm as the config API lists them: ids and titles in list order (the
 * title ignoring case, {@link String#CASE_INSENSITIVE_ORDER}, then the id), with a lookup for the
 * title clash rule (two titles clash when they are {@link String#equalsIgnoreCase}), so that
 * neither a page nor a clash check walks every policy. Immutable; built once per version of the
 * realm's policies.
 *
 * <p>The lookup is exact: titles are bucketed by a fold that two {@code equalsIgnoreCase} titles
 * always share (per char {@code toLowerCase(toUpperCase(c))}, what {@code equalsIgnoreCase}
 * compares for chars outside surrogate pairs), and each candidate is confirmed with {@code
 * equalsIgnoreCase} itself. A title holding a surrogate char is compared with every policy's title,
 * since Java compares surrogate pairs as code points.
 */
public final class PolicyList {

  /** One policy in the list: its id and its title. */
  public record Entry(String id, String title) {}

  /** The list order: the title ignoring case, then the id. */
  public static final Comparator<Entry> LIST_ORDER =
      Comparator.comparing(Entry::title, String.CASE_INSENSITIVE_ORDER).thenComparing(Entry::id);

  private final List<Entry> inOrder;
  private final Set<String> ids;
  private final Map<String, List<Entry>> byFold;
  private final boolean anySurrogate;

  private PolicyList(List<Entry> inOrder) {
    this.inOrder = inOrder;
    Set<String> all = new HashSet<>();
    inOrder.forEach(e -> all.add(e.id()));
    this.ids = all;
    Map<String, List<Entry>> folds = new HashMap<>();
    boolean surrogate = false;
    for (Entry e : inOrder) {
      String fold = fold(e.title());
      if (fold == null) {
        surrogate = true;
      } else {
        folds.computeIfAbsent(fold, k -> new ArrayList<>(1)).add(e);
      }
    }
    this.byFold = folds;
    this.anySurrogate = surrogate;
  }

  /** The policies, sorted into list order. */
  public static PolicyList of(Collection<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(LIST_ORDER);
    return new PolicyList(List.copyOf(sorted));
  }

  /**
   * This list with some policies read again: those of {@code reread} left out, then {@code current}
   * (what they are now: a policy that is no longer one is not among them) put in their place in
   * list order.
   */
  public PolicyList with(Collection<String> reread, Collection<Entry> current) {
    List<Entry> entries = new ArrayList<>(inOrder.size() + current.size());
    for (Entry e : inOrder) {
      if (!reread.contains(e.id())) {
        entries.add(e);
      }
    }
    entries.addAll(current);
    return of(entries);
  }

  /** Whether a policy of this id is in the list. */
  public boolean contains(String id) {
    return ids.contains(id);
  }

  /** Every policy, in list order. */
  public List<Entry> inOrder() {
    return inOrder;
  }

  /** How many policies. */
  public int size() {
    return inOrder.size();
  }

  /**
   * Whether another policy (not {@code exceptId}) has a title {@code equalsIgnoreCase} this one.
   */
  public boolean titleTaken(String title, @Nullable String exceptId) {
    String fold = fold(title);
    if (fold == null) {
      return inOrder.stream().anyMatch(e -> clashes(e, title, exceptId));
    }
    for (Entry e : byFold.getOrDefault(fold, List.of())) {
      if (clashes(e, title, exceptId)) {
        return true;
      }
    }
    if (anySurrogate) {
      // titles with surrogates are not bucketed: compare them as Java does
      for (Entry e : inOrder) {
        if (fold(e.title()) == null && clashes(e, title, exceptId)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean clashes(Entry e, String title, @Nullable String exceptId) {
    return !e.id().equals(exceptId) && e.title().equalsIgnoreCase(title);
  }

  /**
   * The case fold {@code equalsIgnoreCase} compares chars by, or null for a text holding a
   * surrogate char (compared by code point, not bucketed).
   */
  public static @Nullable String fold(String s) {
    char[] out = new char[s.length()];
    for (int i = 0; i < out.length; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        return null;
      }
      out[i] = Character.toLowerCase(Character.toUpperCase(c));
    }
    return new String(out);
  }

  /**
   * A conservative estimate of the heap this list retains ({@link Footprint}): the list, the
   * entries with their ids and titles, and the lookup with a folded copy of each title.
   */
  public long estimatedBytes() {
    long bytes = Footprint.object(3) + Footprint.list(inOrder.size());
    bytes += Footprint.hashed(byFold.size()) + Footprint.hashed(ids.size());
    for (Entry e : inOrder) {
      bytes += Footprint.object(2) + Footprint.string(e.id()) + 2 * Footprint.string(e.title());
      bytes += Footprint.list(1);
    }
    return bytes;
  }
}
