package io.github.policyscopes.policy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The value-by-value rule of invariant I4 (claims follow scopes) on plain JSON trees: a claim value
 * is a {@link Map} with string keys (an object), a {@link List} (an array) or a scalar ({@link
 * String}, {@link Number}, {@link Boolean}). Values are compared with {@link Object#equals}, so
 * both sides must come from the same conversion.
 *
 * <p>Every method returns the same instance when nothing changes and null when nothing is left.
 */
public final class ClaimDiff {

  private ClaimDiff() {}

  /**
   * {@code current} without what {@code dropped} wrote unless {@code kept} wrote it too, value by
   * value (an audience, a role): objects member by member, arrays element by element, a scalar only
   * when it is the dropped value (else someone else wrote it last), replaced by the kept value when
   * a kept mapper wrote another one.
   */
  public static @Nullable Object subtract(Object current, Object dropped, @Nullable Object kept) {
    if (current instanceof Map<?, ?> currentMap && dropped instanceof Map<?, ?> droppedMap) {
      Map<Object, Object> result = null;
      for (Map.Entry<?, ?> e : droppedMap.entrySet()) {
        Object inner = currentMap.get(e.getKey());
        if (inner == null || e.getValue() == null) {
          continue;
        }
        Object keptInner = kept instanceof Map<?, ?> keptMap ? keptMap.get(e.getKey()) : null;
        Object left = subtract(inner, e.getValue(), keptInner);
        if (left != inner) {
          if (result == null) {
            result = new LinkedHashMap<>(currentMap);
          }
          if (left == null) {
            result.remove(e.getKey());
          } else {
            result.put(e.getKey(), left);
          }
        }
      }
      if (result == null) {
        return current;
      }
      return result.isEmpty() ? null : result;
    }
    if (current instanceof List || dropped instanceof List) {
      List<?> droppedValues = elements(dropped);
      List<?> keptValues = kept == null ? List.of() : elements(kept);
      List<?> currentValues = elements(current);
      List<Object> left = new ArrayList<>();
      for (Object value : currentValues) {
        if (!droppedValues.contains(value) || keptValues.contains(value)) {
          left.add(value);
        }
      }
      if (left.size() == currentValues.size()) {
        return current;
      }
      if (left.isEmpty()) {
        return null;
      }
      if (!(current instanceof List) && left.size() == 1) {
        return left.get(0);
      }
      return left;
    }
    if (!current.equals(dropped)) {
      return current; // someone else wrote this value last
    }
    if (kept == null) {
      return null;
    }
    return kept.equals(current) ? current : kept;
  }

  /**
   * {@code value} without the member at {@code path} below it (empty: the value itself), objects
   * that this leaves empty removed too; the same instance when there is no such member.
   */
  public static @Nullable Object without(Object value, List<String> path) {
    if (path.isEmpty()) {
      return null;
    }
    if (!(value instanceof Map<?, ?> map)) {
      return value;
    }
    Object inner = map.get(path.get(0));
    if (inner == null) {
      return value;
    }
    Object left = without(inner, path.subList(1, path.size()));
    if (left == inner) {
      return value;
    }
    Map<Object, Object> result = new LinkedHashMap<>(map);
    if (left == null) {
      result.remove(path.get(0));
    } else {
      result.put(path.get(0), left);
    }
    return result.isEmpty() ? null : result;
  }

  private static List<?> elements(Object value) {
    return value instanceof List<?> list ? list : List.of(value);
  }
}
