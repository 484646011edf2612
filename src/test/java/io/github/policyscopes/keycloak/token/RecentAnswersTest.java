package io.github.policyscopes.keycloak.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class RecentAnswersTest {

  @Test
  void anAnswerIsFoundByAnEqualQuestionAndTheOldestGoesFirst() {
    RecentAnswers<List<String>, String> answers = new RecentAnswers<>(2);
    assertThat(answers.get(List.of("a"))).isNull();
    answers.keep(List.of("a"), "A");
    answers.keep(List.of("b"), "B");
    assertThat(answers.get(List.of("a"))).as("equal, not the same list").isEqualTo("A");
    answers.keep(List.of("a"), "other");
    assertThat(answers.get(List.of("a")))
        .as("a question answered is not answered again")
        .isEqualTo("A");
    answers.keep(List.of("c"), "C");
    assertThat(answers.get(List.of("a"))).as("the oldest replaced").isNull();
    assertThat(answers.get(List.of("b"))).isEqualTo("B");
    answers.keep(List.of("d"), "D");
    assertThat(answers.get(List.of("b"))).isNull();
    assertThat(answers.get(List.of("c"))).isEqualTo("C");
    assertThat(answers.get(List.of("d"))).isEqualTo("D");
  }

  @Test
  void atLeastOneAnswerIsKept() {
    assertThatThrownBy(() -> new RecentAnswers<String, String>(0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
