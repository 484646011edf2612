package io.github.policyscopes.scope;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Conservative estimates of the heap an object graph retains, in bytes, for weighing the caches of
 * the extension (docs/adr/0024-bounded-memory.md). Every figure assumes the most expensive common
 * layout of a 64-bit HotSpot JVM: 16-byte object headers, 8-byte references (no compressed oops),
 * 24-byte array headers, 8-byte alignment and strings stored as UTF-16 (two bytes a character), so
 * that an estimate is never below what the objects really retain; the memory benchmark ({@code
 * -Dbench=memory}) prints both for the worst case.
 */
public final class Footprint {

  /** An object's header. */
  public static final int HEADER = 16;

  /** One reference field or array slot. */
  public static final int REF = 8;

  /** An array's header (header and length, aligned). */
  public static final int ARRAY_HEADER = 24;

  /** A {@code String}: header, value reference, hash and coder, aligned. */
  private static final int STRING = 32;

  private Footprint() {}

  /** An object of {@code fields} reference-sized fields, aligned. */
  public static long object(int fields) {
    return align(HEADER + (long) fields * REF);
  }

  /** A string of {@code length} characters with its character array (UTF-16). */
  public static long string(int length) {
    return STRING + align(ARRAY_HEADER + 2L * length);
  }

  /** A string with its character array; 0 for null. */
  public static long string(@Nullable String s) {
    return s == null ? 0 : string(s.length());
  }

  /** An array of {@code length} references (not what they point to). */
  public static long refArray(int length) {
    return align(ARRAY_HEADER + (long) length * REF);
  }

  /**
   * An immutable or array-backed list of {@code size} elements (not the elements): the list object
   * and its array.
   */
  public static long list(int size) {
    return object(2) + refArray(size);
  }

  /**
   * A hash-based set or map of {@code size} entries (not the keys and values): the table and one
   * node per entry, as for {@code HashMap}/{@code LinkedHashMap}.
   */
  public static long hashed(int size) {
    return object(6) + refArray(Math.max(16, 2 * size)) + (long) size * object(5);
  }

  /** The strings of {@code strings}, each with its character array, and a list holding them. */
  public static long strings(Collection<String> strings) {
    long bytes = list(strings.size());
    for (String s : strings) {
      bytes += string(s);
    }
    return bytes;
  }

  /** {@code bytes} rounded up to the 8-byte alignment of objects. */
  public static long align(long bytes) {
    return (bytes + 7) & ~7L;
  }
}
