package dev.lrfinder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.BatchSource;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.exported.ExportedModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestListener;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.RunControl;
import dev.lrfinder.rangetest.StepDecision;
import dev.lrfinder.rangetest.StepEvent;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.Suggestion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The facade on the bundled blobs_mlp model, checked against the engine run by hand. */
class LrFinderTest {
  private static LrFinder finder;
  private static Dataset train;
  private static FinderResult baseline;

  private static RangeTestConfig config() {
    return RangeTestConfig.builder().batchSize(32).steps(60).build();
  }

  @BeforeAll
  static void open() {
    finder = LrFinder.open(TestPaths.model("blobs_mlp"));
    train = finder.loadData(TestPaths.data("blobs_mlp"));
    baseline = finder.rangeTest(train, config());
  }

  @AfterAll
  static void close() {
    finder.close();
  }

  @Test
  void theFacadeGivesWhatTheEngineAndTheRulesGiveByHand() {
    try (ExportedModel model = ExportedModel.load(TestPaths.model("blobs_mlp"))) {
      Dataset data = model.conform(Dataset.load(TestPaths.data("blobs_mlp"), "train", "label"));
      RangeTestResult byHand = new RangeTest(config()).run(model, data, null);
      assertEquals(byHand.curves().size(), baseline.curves().size());
      for (OptimizerCurve curve : byHand.curves()) {
        assertEquals(curve.losses(), baseline.curve(curve.optimizer()).losses());
        assertEquals(curve.smoothedLosses(), baseline.curve(curve.optimizer()).smoothedLosses());
      }
      RangeTestAnalysis analysis = RangeTestAnalysis.of(byHand);
      assertEquals(analysis.suggestions(), baseline.suggestions());
    }
    assertEquals(finder.optimizers(), List.copyOf(baseline.suggestions().keySet()));
    Suggestion valley = baseline.suggestion("adam", "valley");
    assertEquals("valley", valley.rule());
    assertEquals(baseline.suggestions().get("adam").stream()
        .filter(s -> s.rule().equals("valley")).findFirst().orElseThrow(), valley);
    assertThrows(IllegalArgumentException.class, () -> baseline.suggestion("adam", "nope"));
    assertThrows(IllegalArgumentException.class, () -> baseline.suggestion("nope", "valley"));
    assertFalse(baseline.cancelled());
  }

  @Test
  void rawNumpyLabelsAreConformedByTheRangeTest() {
    // numpy's default int64 labels, unconverted: the facade conforms them itself.
    Dataset raw = Dataset.load(TestPaths.data("blobs_mlp"), "train", "label");
    FinderResult result = finder.rangeTest(raw, config());
    for (OptimizerCurve curve : baseline.curves()) {
      assertEquals(curve.losses(), result.curve(curve.optimizer()).losses());
    }
  }

  @Test
  void validationDataIsAnOverload() {
    Dataset test = finder.loadTestData(TestPaths.data("blobs_mlp")).orElseThrow();
    RangeTestConfig config = config().toBuilder().validationBatches(2).optimizers(List.of("adam"))
        .steps(20).build();
    OptimizerCurve curve = finder.rangeTest(train, test, config).curve("adam");
    assertEquals(20, curve.stepsRun());
    assertNotEquals(curve.trainLosses(), curve.losses(), "the curve follows the held-out loss");
  }

  @Test
  void reportAndJsonComeFromTheSameAnalysis(@TempDir Path dir) throws Exception {
    Path index = baseline.writeReport(dir.resolve("report"));
    assertEquals(dir.resolve("report").resolve("index.html"), index);
    assertTrue(Files.size(index) > 1000);
    JsonNode json = new ObjectMapper().readTree(baseline.toJson());
    assertEquals(new ObjectMapper().readTree(Files.readString(dir.resolve("report/result.json")))
        .get("optimizers"), json.get("optimizers"));
    JsonNode adam = json.get("optimizers").get(finder.optimizers().indexOf("adam"));
    assertEquals("adam", adam.get("optimizer").asText());
    Suggestion valley = baseline.suggestion("adam", "valley");
    for (JsonNode s : adam.get("suggestions")) {
      if (s.get("rule").asText().equals("valley") && valley.found()) {
        assertEquals(valley.learningRate(), s.get("lr").doubleValue());
      }
    }
    assertEquals(AnalysisSettings.defaultSkipEnd(json.get("planned_steps").asLong()),
        json.get("config").get("skip_end").asInt());
    FinderResult reread = baseline.withAnalysis(AnalysisSettings.defaults().withSkipEnd(5));
    assertEquals(5, new ObjectMapper().readTree(reread.toJson()).get("config").get("skip_end")
        .asInt());
  }

  @Test
  void listenersSeeEveryStepWithItsMetrics() {
    List<StepEvent> events = new ArrayList<>();
    RangeTestListener listener = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        events.add(event);
        return StepDecision.CONTINUE;
      }
    };
    RangeTestConfig config = config().toBuilder().optimizers(List.of("sgd")).steps(15).build();
    OptimizerCurve curve = finder.rangeTest(train, config, RunControl.of(listener)).curve("sgd");
    assertEquals(curve.stepsRun(), events.size());
    for (int i = 0; i < events.size(); i++) {
      StepEvent e = events.get(i);
      assertEquals("sgd", e.optimizer());
      assertEquals(i, e.step());
      assertEquals(curve.learningRates().get(i), e.learningRate());
      assertEquals(curve.losses().get(i), e.loss());
      assertEquals(curve.smoothedLosses().get(i), e.smoothedLoss());
      assertEquals(finder.contract().metrics(), List.copyOf(e.metrics().keySet()));
    }
    assertFalse(finder.contract().metrics().isEmpty(), "blobs_mlp reports accuracy");
  }

  @Test
  void aCancelledTokenStopsTheRunAndTheModelIsRestored() {
    CancellationToken token = new CancellationToken();
    RangeTestListener canceller = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        if (event.step() == 5) {
          token.cancel();
        }
        return StepDecision.CONTINUE;
      }
    };
    FinderResult cancelled = finder.rangeTest(train, config(),
        new RunControl(List.of(canceller), token));
    assertTrue(cancelled.cancelled());
    assertEquals(1, cancelled.curves().size(), "no further optimizer starts");
    assertEquals(StopReason.CANCELLED, cancelled.curves().get(0).stopReason());
    assertEquals(6, cancelled.curves().get(0).stepsRun());
    assertEquals(baseline.curves().get(0).losses().subList(0, 6),
        cancelled.curves().get(0).losses());
    FinderResult again = finder.rangeTest(train, config());
    for (OptimizerCurve curve : baseline.curves()) {
      assertEquals(curve.losses(), again.curve(curve.optimizer()).losses(), "restored");
    }
  }

  @Test
  void futureCancelStopsASubmittedRun() throws Exception {
    CountDownLatch atStep3 = new CountDownLatch(1);
    CountDownLatch cancelledNow = new CountDownLatch(1);
    CountDownLatch ended = new CountDownLatch(1);
    AtomicReference<StopReason> reason = new AtomicReference<>();
    RangeTestListener listener = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        if (event.step() == 3) {
          atStep3.countDown();
          await(cancelledNow);
        }
        return StepDecision.CONTINUE;
      }

      @Override
      public void onEnd(OptimizerCurve curve) {
        reason.set(curve.stopReason());
        ended.countDown();
      }
    };
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Future<FinderResult> future = finder.submit(executor, train, config(),
          RunControl.of(listener));
      assertTrue(atStep3.await(60, TimeUnit.SECONDS));
      assertTrue(future.cancel(false));
      cancelledNow.countDown();
      assertThrows(CancellationException.class, future::get);
      assertTrue(ended.await(60, TimeUnit.SECONDS));
      assertEquals(StopReason.CANCELLED, reason.get());
    } finally {
      executor.shutdown();
      assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
    }
    FinderResult again = finder.rangeTest(train, config());
    for (OptimizerCurve curve : baseline.curves()) {
      assertEquals(curve.losses(), again.curve(curve.optimizer()).losses(), "restored");
    }
  }

  @Test
  void aSecondThreadOnTheSameFinderIsRefusedAtOnce() {
    AtomicReference<Throwable> fromOtherThread = new AtomicReference<>();
    AtomicReference<Throwable> fromListener = new AtomicReference<>();
    RangeTestListener listener = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        if (event.step() == 2) {
          Thread other = new Thread(() -> {
            try {
              finder.rangeTest(train, config());
            } catch (Throwable t) {
              fromOtherThread.set(t);
            }
          });
          other.start();
          try {
            other.join(60_000);
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          try {
            finder.rangeTest(train, config());
          } catch (Throwable t) {
            fromListener.set(t);
          }
          return StepDecision.STOP;
        }
        return StepDecision.CONTINUE;
      }
    };
    RangeTestConfig config = config().toBuilder().optimizers(List.of("adam")).build();
    FinderResult result = finder.rangeTest(train, config, RunControl.of(listener));
    assertEquals(StopReason.LISTENER, result.curve("adam").stopReason());
    assertTrue(fromOtherThread.get() instanceof IllegalStateException, "" + fromOtherThread);
    assertTrue(fromOtherThread.get().getMessage().contains("give each thread its own LrFinder"));
    assertTrue(fromListener.get() instanceof IllegalStateException, "" + fromListener);
  }

  @Test
  void aStreamingSourceGivesTheSameCurveAsTheSameBatchesInMemory() {
    // Batches made on request from raw (int64-label) arrays, in file order: the in-memory
    // dataset without shuffling gives batch i = rows [32 i, 32 i + 32) too.
    Dataset raw = Dataset.load(TestPaths.data("blobs_mlp"), "train", "label");
    long perEpoch = raw.rows() / 32;
    List<Long> asked = new ArrayList<>();
    BatchSource stream = new BatchSource() {
      @Override
      public int batchSize() {
        return 32;
      }

      @Override
      public long stepsPerEpoch() {
        return perEpoch;
      }

      @Override
      public Batch batch(long step) {
        asked.add(step);
        int[] rows = new int[32];
        for (int i = 0; i < 32; i++) {
          rows[i] = Math.toIntExact((step % perEpoch) * 32 + i);
        }
        HostArray x = raw.x().gatherRows(rows);
        HostArray y = raw.y().gatherRows(rows);
        return new Batch(x, y);
      }
    };
    RangeTestConfig config = config().toBuilder().shuffle(false).build();
    FinderResult streamed = finder.rangeTest(stream, config);
    FinderResult inMemory = finder.rangeTest(train, config);
    assertEquals(inMemory.curves().size(), streamed.curves().size());
    for (OptimizerCurve curve : inMemory.curves()) {
      assertEquals(curve.losses(), streamed.curve(curve.optimizer()).losses());
      assertEquals(curve.learningRates(), streamed.curve(curve.optimizer()).learningRates());
    }
    assertEquals(inMemory.suggestions(), streamed.suggestions());
    assertEquals(0L, asked.get(0));
    assertTrue(asked.stream().anyMatch(s -> s >= perEpoch), "the run goes past one epoch");
  }

  @Test
  void closeCancelsARunningTestAndWaitsForIt() throws Exception {
    LrFinder other = LrFinder.open(TestPaths.model("blobs_mlp"));
    CountDownLatch running = new CountDownLatch(1);
    RangeTestListener started = new RangeTestListener() {
      @Override
      public StepDecision onStep(StepEvent event) {
        running.countDown();
        return StepDecision.CONTINUE;
      }
    };
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      Future<FinderResult> future = other.submit(executor, train, config().toBuilder()
          .steps(100_000).stopFactor(0).endLr(1e-3).build(), RunControl.of(started));
      assertTrue(running.await(60, TimeUnit.SECONDS));
      other.close(); // returns once the run has restored the model and let go of it
      FinderResult result = future.get(60, TimeUnit.SECONDS);
      assertTrue(result.cancelled());
      assertTrue(result.curves().get(0).stepsRun() < 100_000);
    } finally {
      executor.shutdown();
      assertTrue(executor.awaitTermination(60, TimeUnit.SECONDS));
    }
  }

  @Test
  void aClosedFinderSaysSo() {
    LrFinder other = LrFinder.open(TestPaths.model("blobs_mlp"));
    other.close();
    other.close(); // twice is fine
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> other.rangeTest(train, config()));
    assertEquals("this LrFinder is closed", e.getMessage());
  }

  private static void await(CountDownLatch latch) {
    try {
      assertTrue(latch.await(60, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
