package dev.lrfinder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.OptimizerVerification;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RunControl;
import dev.lrfinder.rangetest.StepDecision;
import dev.lrfinder.rangetest.StepEvent;
import dev.lrfinder.rangetest.VerificationResult;
import dev.lrfinder.suggest.RepeatedRuns;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LrFinder.verify and LrFinder.repeatedRangeTest on blobs_mlp. */
class LrFinderVerifyTest {
  private static LrFinder finder;
  private static Dataset train;
  private static Dataset test;

  private static RangeTestConfig config() {
    return RangeTestConfig.builder().batchSize(32).steps(100).optimizers(List.of("adam"))
        .build();
  }

  @BeforeAll
  static void open() {
    finder = LrFinder.open(TestPaths.model("blobs_mlp"));
    train = finder.loadData(TestPaths.data("blobs_mlp"));
    test = finder.loadTestData(TestPaths.data("blobs_mlp")).orElseThrow();
  }

  @AfterAll
  static void close() {
    finder.close();
  }

  @Test
  void verifyRanksTheSuggestionsAndLeavesTheModelAsItWas(@TempDir Path dir) throws Exception {
    FinderResult result = finder.rangeTest(train, config());
    FinderResult verified = finder.verify(result, train, test, 20);
    assertTrue(result.verification().isEmpty());
    VerificationResult verification = verified.verification().orElseThrow();
    OptimizerVerification adam = verification.optimizer("adam").orElseThrow();
    assertFalse(adam.ranked().isEmpty());
    // Nothing trained for good: the same range test again gives the same curve, bit for bit.
    assertEquals(result.curve("adam").losses(),
        finder.rangeTest(train, config()).curve("adam").losses());
    // And the verification itself is reproducible.
    assertEquals(verification, finder.verify(result, train, test, 20).verification()
        .orElseThrow());

    JsonNode json = new ObjectMapper().readTree(verified.toJson());
    assertEquals(20, json.get("verification").get("steps").asInt());
    Path page = verified.writeReport(dir.resolve("report"));
    assertTrue(Files.readString(page).contains("Suggestions verified by training"));
    assertTrue(Files.exists(dir.resolve("report").resolve("verification.csv")));
  }

  @Test
  void withoutHeldOutDataAValidationSplitIsUsed() {
    FinderResult result = finder.rangeTest(train, config());
    VerificationResult verification = finder.verify(result, train, null, 5).verification()
        .orElseThrow();
    assertEquals(100, verification.heldOutRows());
    assertTrue(verification.heldOut().contains("validation split"));
  }

  @Test
  void aCancelledVerificationStopsAndTheModelIsRestored() {
    FinderResult result = finder.rangeTest(train, config());
    CancellationToken token = new CancellationToken();
    RunControl control = RunControl.of(new dev.lrfinder.rangetest.RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        token.cancel();
        return StepDecision.CONTINUE;
      }
    }).withToken(token);
    VerificationResult verification = finder.verify(result, train, test, 50, control)
        .verification().orElseThrow();
    assertTrue(verification.stoppedEarly());
    assertEquals(result.curve("adam").losses(),
        finder.rangeTest(train, config()).curve("adam").losses());
  }

  @Test
  void repeatedRangeTestsKeepTheFirstRunAsTheResult() {
    FinderResult repeated = finder.repeatedRangeTest(train, config(), 3);
    RepeatedRuns repeats = repeated.repeats().orElseThrow();
    assertEquals(3, repeats.repeats());
    assertEquals(finder.rangeTest(train, config()).curve("adam").losses(),
        repeated.curve("adam").losses());
    assertEquals(List.of(0L, 1L, 2L), repeats.seeds());
    assertThrows(IllegalArgumentException.class,
        () -> finder.repeatedRangeTest(train, config(), 0));
    assertThrows(IllegalArgumentException.class,
        () -> finder.verify(repeated, train, test, 0));
  }
}
