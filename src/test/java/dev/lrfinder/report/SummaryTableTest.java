package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.suggest.Suggestion;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
  private static Suggestion found(String rule, double lr) {
    return Suggestion.of(rule, lr, "note");
  }

  @Test
  void oneLinePerOptimizerWithItsFormattedSuggestions() {
    ReportInput input = Fixtures.threeOptimizers();

    String table = SummaryTable.render(input);

    List<String> lines = table.lines().toList();
    assertEquals(1 + 3, lines.size(), table);
    assertTrue(lines.get(0).startsWith("optimizer"));
    for (String column : List.of("steep", "valley", "minimum", "slide", "loss_delta", "cyclical",
        "min loss", "at lr", "steps", "stop", "seconds")) {
      assertTrue(lines.get(0).contains(column), column);
    }
    for (int i = 0; i < 3; i++) {
      OptimizerCurve curve = input.result().curves().get(i);
      String line = lines.get(i + 1);
      assertTrue(line.startsWith(curve.optimizer() + " "), line);
      for (Suggestion s : input.suggestionsFor(curve.optimizer())) {
        if (s.found()) {
          assertTrue(line.contains(Format.lr(s.learningRate())), s.rule() + " in " + line);
        }
      }
      assertTrue(line.contains(curve.stepsRun() + "/" + curve.plannedSteps()), line);
    }
    assertTrue(table.endsWith("\n"));
  }

  @Test
  void showsFixedColumnsWithDashesForMissingSuggestions() {
    double[] smoothed = new double[15];
    for (int i = 0; i < 15; i++) {
      smoothed[i] = 3 - 0.1 * i;
    }
    OptimizerCurve curve = Fixtures.curve("adam", Fixtures.exponentialLrs(15, 100), smoothed, smoothed,
        StopReason.DIVERGED, 100);
    ReportInput input = Fixtures.input("m", Fixtures.config(), List.of(curve), Map.of("adam",
        List.of(found("steep", 0.0032), Suggestion.none("valley", "no"), found("minimum", 3e-5),
            found("cyclical_base", 1e-5), found("cyclical_max", 0.012))));

    String line = SummaryTable.render(input).lines().toList().get(1);

    assertEquals(List.of("adam", "3.2e-03", "-", "3.0e-05", "-", "-", "1.0e-05..1.2e-02",
        "1.700", Format.lr(Fixtures.exponentialLrs(14, 100)[13]), "15/100", "diverged", "1.3"),
        List.of(line.split(" {2,}")));
  }

  @Test
  void formatsRatesWithTwoSignificantDigits() {
    assertEquals("3.2e-03", Format.lr(0.00321));
    assertEquals("1.0e+01", Format.lr(10));
    assertEquals("-", Format.lr(Double.NaN));
  }
}
