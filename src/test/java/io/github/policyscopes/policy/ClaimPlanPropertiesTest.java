package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.policyscopes.policy.ClaimPlan.Mapper;
import io.github.policyscopes.policy.ClaimPlan.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.jspecify.annotations.Nullable;

/**
 * Differential property: over generated mapper configurations, the plan-based filter ({@link
 * ClaimPlan}) leaves exactly the token the scratch-run-everything rule of ADR 0010 left. The
 * mappers are modelled on Keycloak's: a hard-coded claim and a user attribute write a value at a
 * claim path with Keycloak's {@code JsonUtils.mapClaim} (nested {@code a.b}, multivalued merge, a
 * failure when a segment above is not an object), an audience mapper adds to {@code aud}, and a
 * mapper of unknown type writes like one of those without the plan knowing where. The policy mapper
 * adds the client to {@code aud} in the real run only, after every other mapper.
 */
class ClaimPlanPropertiesTest {

  private static final Set<String> UNTOUCHABLE = Set.of("sub", "scope");
  private static final Set<String> SHARED = Set.of("aud");
  private static final Map<String, Object> BASE = Map.of("sub", "user", "scope", "openid");

  /** One generated mapper. */
  record Spec(
      int priority,
      boolean dropped,
      boolean known,
      boolean audience,
      List<String> path,
      boolean multivalued,
      List<String> values) {

    @Nullable Object value() {
      if (values.isEmpty()) {
        return null; // a user without the attribute: nothing is written
      }
      return multivalued ? List.copyOf(values) : values.get(0);
    }
  }

  @Property(tries = 2000)
  void thePlanLeavesExactlyWhatRunningEveryMapperLeft(@ForAll("configurations") List<Spec> specs) {
    List<Spec> mappers = new ArrayList<>(specs);
    mappers.sort(Comparator.comparingInt(Spec::priority)); // stable: the server's order
    Map<String, Object> real = run(mappers, true);

    Map<String, Object> expected = deepCopy(real);
    everythingRule(expected, mappers);

    Map<String, Object> actual = deepCopy(real);
    List<Mapper> dropped = new ArrayList<>();
    List<Mapper> kept = new ArrayList<>();
    for (int i = 0; i < mappers.size(); i++) {
      Spec s = mappers.get(i);
      Mapper m = describe(String.valueOf(i), s);
      (s.dropped() ? dropped : kept).add(m);
    }
    ClaimPlan plan = ClaimPlan.of(dropped, kept, SHARED, UNTOUCHABLE);
    plan.apply(
        claims(actual),
        ids ->
            contribution(
                run(ids.stream().map(id -> mappers.get(Integer.parseInt(id))).toList(), false)));

    assertThat(actual).as("plan %s", plan.removals()).isEqualTo(expected);
  }

  @Property(tries = 300)
  void knownMappersWithoutCollisionsRunNothing(@ForAll("configurations") List<Spec> specs) {
    List<Mapper> dropped = new ArrayList<>();
    List<Mapper> kept = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      Spec s = specs.get(i);
      if (s.known() && !s.audience() && !UNTOUCHABLE.contains(s.path().get(0))) {
        (s.dropped() ? dropped : kept).add(describe(String.valueOf(i), s));
      }
    }
    boolean collision =
        dropped.stream()
            .flatMap(d -> d.paths().stream())
            .anyMatch(p -> kept.stream().flatMap(k -> k.paths().stream()).anyMatch(p::meets));
    ClaimPlan plan = ClaimPlan.of(dropped, kept, SHARED, UNTOUCHABLE);
    assertThat(plan.droppedToRun().isEmpty()).isEqualTo(!collision);
  }

  private static Mapper describe(String id, Spec s) {
    if (!s.known()) {
      return Mapper.unknown(id);
    }
    return s.audience()
        ? Mapper.writing(id, Path.of("aud"))
        : new Mapper(id, List.of(new Path(s.path(), false)));
  }

  /** Today's rule (ADR 0010): run every dropped mapper and every kept one, subtract. */
  private static void everythingRule(Map<String, Object> token, List<Spec> mappers) {
    Map<String, Object> dropped =
        contribution(run(mappers.stream().filter(Spec::dropped).toList(), false));
    Map<String, Object> kept =
        contribution(run(mappers.stream().filter(s -> !s.dropped()).toList(), false));
    dropped.forEach(
        (name, value) -> {
          Object current = token.get(name);
          if (current == null || UNTOUCHABLE.contains(name)) {
            return;
          }
          Object left = ClaimDiff.subtract(current, value, kept.get(name));
          if (left != current) {
            claims(token).set(name, left);
          }
        });
  }

  private static Map<String, Object> run(List<Spec> mappers, boolean withPolicyMapper) {
    Map<String, Object> token = new HashMap<>(BASE);
    for (Spec s : mappers) {
      try {
        write(token, s);
      } catch (ClassCastException failed) {
        // Keycloak's mapClaim fails when a segment above is not an object; the next mapper runs
      }
    }
    if (withPolicyMapper) {
      addAudience(token, "client");
    }
    return token;
  }

  @SuppressWarnings("unchecked")
  private static void write(Map<String, Object> token, Spec s) {
    if (s.audience()) {
      if (!s.values().isEmpty()) {
        addAudience(token, s.values().get(0));
      }
      return;
    }
    Object value = s.value();
    if (value == null) {
      return;
    }
    // org.keycloak.utils.JsonUtils.mapClaim
    Map<String, Object> object = token;
    List<String> path = s.path();
    for (int i = 0; i < path.size(); i++) {
      String component = path.get(i);
      if (i == path.size() - 1 && !s.multivalued()) {
        object.put(component, value);
      } else if (i == path.size() - 1) {
        Object values = object.get(component);
        if (values == null) {
          object.put(component, value);
        } else {
          List<Object> merged =
              values instanceof Collection<?> c
                  ? new ArrayList<>(c)
                  : new ArrayList<>(List.of(values));
          for (Object v : value instanceof Collection<?> c ? c : List.of(value)) {
            if (!merged.contains(v)) {
              merged.add(v);
            }
          }
          object.put(component, merged);
        }
      } else {
        Map<String, Object> nested = (Map<String, Object>) object.get(component);
        if (nested == null) {
          nested = new HashMap<>();
          object.put(component, nested);
        }
        object = nested;
      }
    }
  }

  private static void addAudience(Map<String, Object> token, String audience) {
    Object aud = token.get("aud");
    List<Object> list = new ArrayList<>();
    if (aud instanceof Collection<?> c) {
      list.addAll(c);
    } else if (aud != null) {
      list.add(aud);
    }
    list.add(audience);
    token.put("aud", list);
  }

  private static Map<String, Object> contribution(Map<String, Object> scratch) {
    Map<String, Object> wrote = new LinkedHashMap<>();
    scratch.forEach(
        (name, value) -> {
          if (value != null && !value.equals(BASE.get(name))) {
            wrote.put(name, deepCopy(value));
          }
        });
    return wrote;
  }

  private static ClaimPlan.Claims claims(Map<String, Object> token) {
    return new ClaimPlan.Claims() {
      @Override
      public @Nullable Object get(String claim) {
        return token.get(claim);
      }

      @Override
      public void set(String claim, @Nullable Object value) {
        if (value == null) {
          token.remove(claim);
        } else {
          token.put(claim, value);
        }
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> T deepCopy(T value) {
    if (value instanceof Map<?, ?> map) {
      Map<Object, Object> copy = new LinkedHashMap<>();
      map.forEach((k, v) -> copy.put(k, deepCopy(v)));
      return (T) copy;
    }
    if (value instanceof List<?> list) {
      return (T) new ArrayList<>(list.stream().map(ClaimPlanPropertiesTest::deepCopy).toList());
    }
    return value;
  }

  @Provide
  Arbitrary<List<Spec>> configurations() {
    Arbitrary<List<String>> paths =
        Arbitraries.of("a", "b", "c", "sub")
            .flatMap(
                top ->
                    Arbitraries.of("x", "y")
                        .list()
                        .ofMaxSize(2)
                        .map(
                            rest -> {
                              List<String> path = new ArrayList<>(List.of(top));
                              path.addAll(rest);
                              return path;
                            }));
    Arbitrary<Spec> spec =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(0, 5).map(n -> n > 0), // mostly known
                Arbitraries.integers().between(0, 5).map(n -> n == 0), // sometimes an audience
                paths,
                Arbitraries.of(true, false),
                Arbitraries.of("1", "2", "3").list().ofMaxSize(2))
            .as(Spec::new);
    return spec.list().ofMinSize(1).ofMaxSize(7);
  }
}
