package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.suggest.AnalysisSettings;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Options;
import org.junit.jupiter.api.Test;

/** find's defaults have one source, RangeTestConfig's (and AnalysisSettings') constants. */
class FindDefaultsTest {
  private final FindCommand find = new FindCommand(new dev.lrfinder.report.ReportWriter());

  private CommandLine parse(String... args) throws Exception {
    return new DefaultParser().parse(find.options(), args);
  }

  @Test
  void noOptionsGiveTheBuildersDefaults() throws Exception {
    CommandLine line = parse();
    assertEquals(RangeTestConfig.builder().build(), FindCommand.config(line));
    assertEquals(AnalysisSettings.SKIP_AUTO, FindCommand.analysis(line).skipEnd());
    assertEquals(RangeTestConfig.SKIP_AUTO, FindCommand.config(line).skipBegin());
    assertEquals(RangeTestConfig.builder().seed(7).skipBegin(3).build(),
        FindCommand.config(parse("--seed", "7", "--skip-begin", "3")));
    assertEquals(4, FindCommand.analysis(parse("--skip-end", "4")).skipEnd());
  }

  /** fast.ai's {@code num_it // 10} at the start; one point per hundred steps at the end. */
  @Test
  void theDefaultSkipsFollowTheNumberOfSteps() throws Exception {
    assertEquals(10, RangeTestConfig.defaultSkipBegin(100));
    assertEquals(30, RangeTestConfig.defaultSkipBegin(300));
    assertEquals(9, RangeTestConfig.defaultSkipBegin(99));
    assertEquals(0, RangeTestConfig.defaultSkipBegin(9));
    assertEquals(204, RangeTestConfig.defaultSkipBegin(2048));
    assertEquals(1, AnalysisSettings.defaultSkipEnd(100));
    assertEquals(1, AnalysisSettings.defaultSkipEnd(20));
    assertEquals(3, AnalysisSettings.defaultSkipEnd(300));
    assertEquals(20, AnalysisSettings.defaultSkipEnd(2048));
    RangeTestConfig auto = FindCommand.config(parse("--steps", "300"));
    assertEquals(30, auto.skipBeginFor(300));
    assertEquals(3, FindCommand.analysis(parse("--steps", "300")).skipEndFor(300));
    // Explicit values win, 0 included.
    assertEquals(0, FindCommand.config(parse("--steps", "300", "--skip-begin", "0"))
        .skipBeginFor(300));
    assertEquals(7, FindCommand.analysis(parse("--skip-end", "7")).skipEndFor(300));
  }

  @Test
  void theHelpShowsTheDefaultsParsingUses() {
    Options options = find.options();
    assertEquals("start learning rate (default: 1e-7)", options.getOption("start").getDescription());
    assertEquals("end learning rate (default: 10)", options.getOption("end").getDescription());
    assertEquals("steps of the test (default: 100)", options.getOption("steps").getDescription());
    assertEquals("rows per batch (default: 64)", options.getOption("batch-size").getDescription());
    assertEquals("learning-rate ramp (default: exp)", options.getOption("schedule").getDescription());
    assertEquals("loss smoothing (default: 0.98; 0 = none)", options.getOption("beta").getDescription());
    assertTrue(options.getOption("stop-factor").getDescription().contains("(default: 4;"));
    assertTrue(options.getOption("skip-begin").getDescription()
        .endsWith("(default: steps / 10, fast.ai's)"));
    assertEquals("points skipped at the end (default: steps / 100, at least 1)",
        options.getOption("skip-end").getDescription());
    assertTrue(options.getOption("seed").getDescription().endsWith("(default: 0)"));
    assertTrue(options.getOption("validation-batches").getDescription()
        .endsWith("(default: 0, the training loss)"));
  }

  @Test
  void numbersInTheHelpReadAsTyped() {
    assertEquals("1e-7", Args.number(1e-7));
    assertEquals("10", Args.number(10));
    assertEquals("0.98", Args.number(0.98));
    assertEquals("4", Args.number(4));
    assertEquals("0", Args.number(0));
    assertEquals("2.5e6", Args.number(2.5e6));
  }
}
