package io.github.policyscopes.policy;

import io.github.policyscopes.scope.Footprint;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
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
  private final Map<String, Entry> byId;
  private final Map<String, List<Entry>> byFold;

  /** How many titles hold a surrogate char (not bucketed, see the class). */
  private final int surrogates;

  /** The estimate of the entries' own bytes ({@link #entryBytes}), summed. */
  private final long entriesBytes;

  private PolicyList(
      List<Entry> inOrder,
      Map<String, Entry> byId,
      Map<String, List<Entry>> byFold,
      int surrogates,
      long entriesBytes) {
    this.inOrder = inOrder;
    this.byId = byId;
    this.byFold = byFold;
    this.surrogates = surrogates;
    this.entriesBytes = entriesBytes;
  }

  /** The policies, sorted into list order. */
  public static PolicyList of(Collection<Entry> entries) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(LIST_ORDER);
    Map<String, Entry> byId = new HashMap<>();
    Map<String, List<Entry>> byFold = new HashMap<>();
    int surrogates = 0;
    long bytes = 0;
    for (Entry e : sorted) {
      byId.put(e.id(), e);
      surrogates += bucket(byFold, e, true) ? 0 : 1;
      bytes += entryBytes(e);
    }
    return new PolicyList(List.copyOf(sorted), byId, byFold, surrogates, bytes);
  }

  /**
   * This list with some policies read again: those of {@code reread} left out, then {@code current}
   * (what they are now: a policy that is no longer one is not among them) put in their place in
   * list order. The same list {@link #of} would build from those entries; no title of a policy left
   * as it was is compared or folded again (the list and maps are copied, references only).
   */
  public PolicyList with(Collection<String> reread, Collection<Entry> current) {
    Map<String, Entry> ids = new HashMap<>(byId);
    Map<String, List<Entry>> folds = new HashMap<>(byFold);
    int surrogateCount = surrogates;
    long bytes = entriesBytes;
    Set<Entry> left = new HashSet<>();
    for (String id : reread) {
      Entry old = ids.remove(id);
      if (old != null) {
        left.add(old);
        surrogateCount -= bucket(folds, old, false) ? 0 : 1;
        bytes -= entryBytes(old);
      }
    }
    List<Entry> entries = new ArrayList<>(inOrder.size() + current.size());
    for (Entry e : inOrder) {
      if (!left.contains(e)) {
        entries.add(e);
      }
    }
    for (Entry e : current) {
      Entry replaced = ids.put(e.id(), e);
      if (replaced != null) {
        // an id given twice in current: the last one stands, as in a list built of them all
        entries.remove(Collections.binarySearch(entries, replaced, LIST_ORDER));
        surrogateCount -= bucket(folds, replaced, false) ? 0 : 1;
        bytes -= entryBytes(replaced);
      }
      int at = Collections.binarySearch(entries, e, LIST_ORDER);
      entries.add(at < 0 ? -at - 1 : at, e);
      surrogateCount += bucket(folds, e, true) ? 0 : 1;
      bytes += entryBytes(e);
    }
    return new PolicyList(List.copyOf(entries), ids, folds, surrogateCount, bytes);
  }

  /**
   * Adds the entry to its title's bucket, or removes it; a bucket is copied before it changes (the
   * map may share it with the list this one was made from). False for a title that has no bucket (a
   * surrogate char).
   */
  private static boolean bucket(Map<String, List<Entry>> folds, Entry e, boolean add) {
    String fold = fold(e.title());
    if (fold == null) {
      return false;
    }
    List<Entry> bucket = new ArrayList<>(folds.getOrDefault(fold, List.of()));
    if (add) {
      bucket.add(e);
    } else {
      bucket.remove(e);
    }
    if (bucket.isEmpty()) {
      folds.remove(fold);
    } else {
      folds.put(fold, bucket);
    }
    return true;
  }

  /** Whether a policy of this id is in the list. */
  public boolean contains(String id) {
    return byId.containsKey(id);
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
    if (surrogates > 0) {
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
    return Footprint.object(5)
        + Footprint.list(inOrder.size())
        + Footprint.hashed(byFold.size())
        + Footprint.hashed(byId.size())
        + entriesBytes;
  }

  /** One entry's share: the entry, its id and title, the folded copy and its bucket. */
  private static long entryBytes(Entry e) {
    return Footprint.object(2)
        + Footprint.string(e.id())
        + 2 * Footprint.string(e.title())
        + Footprint.list(1);
  }
}
