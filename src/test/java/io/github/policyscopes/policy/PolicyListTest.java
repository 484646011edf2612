package io.github.policyscopes.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The cached index keeps the list's rules exactly: list order (title ignoring case, then id) and
 * the title clash rule ({@link String#equalsIgnoreCase}), checked against a walk of every policy.
 */
class PolicyListTest {

  /** Chars whose case mappings are irregular: ß, dotted/dotless i, Kelvin sign, Greek sigmas, … */
  private static final String CHARS = "aAbBiIıİkKKßsSſσςΣ\u0130\u01c5\u01c4\u01c6 -";

  /** Surrogate pairs (Deseret letters, upper and lower) and a lone surrogate. */
  private static final String[] SUPPLEMENTARY = {"\ud801\udc00", "\ud801\udc28", "\ud801"};

  @Provide
  Arbitrary<String> titles() {
    Arbitrary<String> plain = Arbitraries.strings().withChars(CHARS).ofMinLength(1).ofMaxLength(4);
    Arbitrary<String> odd =
        plain.flatMap(
            s -> Arbitraries.of(SUPPLEMENTARY).map(x -> s.substring(0, s.length() / 2) + x));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, plain), net.jqwik.api.Tuple.of(1, odd));
  }

  @Provide
  Arbitrary<List<String>> titleLists() {
    return titles().list().ofMaxSize(12);
  }

  @Property(tries = 2000)
  void titleTakenIsEqualsIgnoreCaseOverEveryPolicy(
      @ForAll("titleLists") List<String> titles, @ForAll("titles") String asked) {
    List<PolicyList.Entry> entries = new ArrayList<>();
    for (int i = 0; i < titles.size(); i++) {
      entries.add(new PolicyList.Entry("id" + i, titles.get(i)));
    }
    PolicyList list = PolicyList.of(entries);
    for (String except : new String[] {null, "id0", "id1"}) {
      boolean walked =
          entries.stream()
              .anyMatch(e -> !e.id().equals(except) && e.title().equalsIgnoreCase(asked));
      assertThat(list.titleTaken(asked, except)).as(asked + " except " + except).isEqualTo(walked);
    }
  }

  @Property(tries = 500)
  void listOrderIsTitleIgnoringCaseThenId(@ForAll("titleLists") List<String> titles) {
    List<PolicyList.Entry> entries = new ArrayList<>();
    for (int i = titles.size() - 1; i >= 0; i--) {
      entries.add(new PolicyList.Entry("id" + i, titles.get(i)));
    }
    List<PolicyList.Entry> expected = new ArrayList<>(entries);
    expected.sort(
        (a, b) -> {
          int c = String.CASE_INSENSITIVE_ORDER.compare(a.title(), b.title());
          return c != 0 ? c : a.id().compareTo(b.id());
        });
    assertThat(PolicyList.of(entries).inOrder()).containsExactlyElementsOf(expected);
  }

  @Test
  void clashesAsJavaComparesTitles() {
    PolicyList list =
        PolicyList.of(
            List.of(
                new PolicyList.Entry("1", "Readers"), new PolicyList.Entry("2", "Stra\u00dfe")));
    assertThat(list.titleTaken("READERS", null)).isTrue();
    assertThat(list.titleTaken("READERS", "1")).as("its own title").isFalse();
    // equalsIgnoreCase compares char by char: ß is not SS
    assertThat(list.titleTaken("STRASSE", null)).isFalse();
    assertThat(list.titleTaken("Stra\u1e9ee", null))
        .isEqualTo("Stra\u00dfe".equalsIgnoreCase("Stra\u1e9ee"));
  }

  @Test
  void estimatesGrowWithTheList() {
    PolicyList small = PolicyList.of(List.of(new PolicyList.Entry("1", "a")));
    List<PolicyList.Entry> many = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      many.add(new PolicyList.Entry("id-" + i, "Title number " + i));
    }
    assertThat(PolicyList.of(many).estimatedBytes())
        .isGreaterThan(1000 * small.estimatedBytes() / 2);
  }

  @Property(tries = 1000)
  void aPatchedListIsTheListBuiltAfresh(
      @ForAll("titleLists") List<String> titles,
      @ForAll("titleLists") List<String> newTitles,
      @ForAll("titles") String asked,
      @ForAll long seed) {
    java.util.Random random = new java.util.Random(seed);
    List<PolicyList.Entry> entries = new ArrayList<>();
    for (int i = 0; i < titles.size(); i++) {
      entries.add(new PolicyList.Entry("id" + i, titles.get(i)));
    }
    PolicyList before = PolicyList.of(entries);
    List<PolicyList.Entry> beforeOrder = before.inOrder();
    long beforeBytes = before.estimatedBytes();

    // some policies read again: renamed, gone (no longer a policy), or new ones
    java.util.Set<String> reread = new java.util.LinkedHashSet<>();
    List<PolicyList.Entry> current = new ArrayList<>();
    java.util.Map<String, PolicyList.Entry> expected = new java.util.LinkedHashMap<>();
    entries.forEach(e -> expected.put(e.id(), e));
    for (int i = 0; i < newTitles.size(); i++) {
      String id = "id" + random.nextInt(titles.size() + 4);
      reread.add(id);
      expected.remove(id);
      if (random.nextInt(4) > 0) {
        PolicyList.Entry now = new PolicyList.Entry(id, newTitles.get(i));
        current.removeIf(e -> e.id().equals(id));
        current.add(now);
        expected.put(id, now);
      } else {
        current.removeIf(e -> e.id().equals(id));
      }
    }
    if (random.nextBoolean()) {
      reread.add("never-a-policy");
    }

    PolicyList patched = before.with(reread, current);
    PolicyList fresh = PolicyList.of(expected.values());
    assertThat(patched.inOrder()).isEqualTo(fresh.inOrder());
    assertThat(patched.size()).isEqualTo(fresh.size());
    assertThat(patched.estimatedBytes()).isEqualTo(fresh.estimatedBytes());
    for (String id : List.of("id0", "id1", "id2", "id5", "never-a-policy")) {
      assertThat(patched.contains(id)).as(id).isEqualTo(fresh.contains(id));
    }
    for (String except : new String[] {null, "id0", "id1"}) {
      for (String title : List.of(asked, newTitles.isEmpty() ? asked : newTitles.get(0))) {
        assertThat(patched.titleTaken(title, except))
            .as(title + " except " + except)
            .isEqualTo(fresh.titleTaken(title, except));
      }
    }
    // the list it was made from is unchanged (they share what did not change)
    assertThat(before.inOrder()).isEqualTo(beforeOrder);
    assertThat(before.estimatedBytes()).isEqualTo(beforeBytes);
    PolicyList again = PolicyList.of(entries);
    for (String except : new String[] {null, "id0"}) {
      for (PolicyList.Entry e : current) {
        assertThat(before.titleTaken(e.title(), except))
            .isEqualTo(again.titleTaken(e.title(), except));
      }
    }
  }
}
