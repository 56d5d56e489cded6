package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.lab.RangeTestGrid;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.RepeatedRuns;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How {@code find --spark} reads a backend's grid with failed cells: a note per failed cell
 * (kept in the report's warnings), the seeds that ran analysed, and one error when none ran.
 */
class FindGridResultsTest {
  private static final int STEPS = 60;

  /** A falling-then-rising curve over an exponential range, enough for the rules to read. */
  private static OptimizerCurve curve(String optimizer, double shift) {
    List<Double> lrs = new ArrayList<>();
    List<Double> losses = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      double x = -5 + 6.0 * i / (STEPS - 1);
      lrs.add(Math.pow(10, x));
      losses.add(1 + 0.5 * Math.tanh(-(x + 2 + shift)) + Math.exp(2 * (x - 0.5)));
    }
    return new OptimizerCurve(optimizer, lrs, losses, losses, losses, StopReason.END_OF_RANGE,
        STEPS, 0.5, 1, 1);
  }

  private static RangeTestResult result(long seed, List<OptimizerCurve> curves) {
    return new RangeTestResult(RangeTestConfig.builder().steps(STEPS).seed(seed).build(), STEPS,
        10, 320, curves);
  }

  @Test
  void failedCellsBecomeNotesAndTheSeedsThatRanAreRead() {
    RangeTestGrid grid = new RangeTestGrid(List.of(
        result(42, List.of(curve("sgd", 0))),
        result(43, List.of(curve("sgd", 0.1), curve("adam", 0.2)))), List.of(
            new RangeTestGrid.FailedCell("adam", 42, "boom (2 attempts, last on executor 1)"),
            new RangeTestGrid.FailedCell("rmsprop", 42, "bang"),
            new RangeTestGrid.FailedCell("rmsprop", 43, "bang")));
    List<String> notes = new ArrayList<>();
    List<RangeTestResult> runs = FindCommand.gridResults(grid, notes);
    assertEquals(grid.results(), runs);
    assertEquals(List.of(
        "optimizer 'adam', seed 42 failed on every attempt: boom (2 attempts, last on executor"
            + " 1); its other seeds' curves count",
        "optimizer 'rmsprop', seed 42 failed on every attempt: bang; no curve and no"
            + " suggestions for it",
        "optimizer 'rmsprop', seed 43 failed on every attempt: bang; no curve and no"
            + " suggestions for it"), notes);

    // The repeats: adam from the one seed that has it, rmsprop nowhere.
    RepeatedRuns repeats = RepeatedRuns.of(runs, AnalysisSettings.defaults());
    assertEquals(List.of("sgd", "adam"), repeats.optimizers());
    assertEquals(List.of(42L, 43L), repeats.seeds());
    for (RepeatedRuns.RuleSpread spread : repeats.spreads("adam")) {
      assertEquals(2, spread.rates().size(), "a rate per seed, in seed order");
      assertTrue(Double.isNaN(spread.rates().get(0)), "seed 42 has no adam curve");
      assertTrue(!spread.flagged() || spread.decadesSpread() > RepeatedRuns.SPREAD_FLAG_DECADES,
          "one seed that ran is not a partial find: " + spread);
    }
    // adam's band is its one curve: mean, min and max the same, over a real stretch.
    RepeatedRuns.Band band = repeats.band("adam");
    assertTrue(band.size() > 10, "band of " + band.size());
    assertEquals(java.util.Arrays.toString(band.mean()), java.util.Arrays.toString(band.min()));
    assertEquals(java.util.Arrays.toString(band.mean()), java.util.Arrays.toString(band.max()));
  }

  @Test
  void everyCellFailedIsOneErrorAndNoRuns() {
    RangeTestGrid grid = new RangeTestGrid(List.of(), List.of(
        new RangeTestGrid.FailedCell("sgd", 42, "'/x/model' does not exist (1 attempt, last on"
            + " executor driver)")));
    UsageException e = assertThrows(UsageException.class,
        () -> FindCommand.gridResults(grid, new ArrayList<>()));
    assertEquals("every optimizer x seed of the range test failed on every attempt; the first:"
        + " optimizer 'sgd', seed 42: '/x/model' does not exist (1 attempt, last on executor"
        + " driver)", e.getMessage());
  }
}
