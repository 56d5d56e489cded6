package dev.lrfinder.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.SweepListener;
import dev.lrfinder.lab.SweepResult;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.report.SweepReportInput;
import dev.lrfinder.report.SweepReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.TensorFlow;

/**
 * A sweep on Spark in this JVM ({@code local[N]} and {@code local[N,F]}) against the local
 * {@link dev.lrfinder.lab.Sweep} of the same runs, computed here: equal bit for bit, also after a
 * retried task; a run that fails every attempt is reported with its error, the others count.
 */
class SparkSweepTest {
  private static SweepFixture fixture;

  @TempDir
  Path temp;

  @BeforeAll
  static void localSweep() {
    fixture = SweepFixture.blobs();
  }

  @AfterEach
  void closeModels() {
    SparkSweep.closeCachedModels();
    assertEquals(0, ExecutorModels.open(), "every cached model closed");
  }

  private static SweepResult onSpark(String master, TaskHook hook) {
    JavaSparkContext spark = SweepFixture.spark(master);
    try {
      return SparkSweep.run(spark, fixture.job(), fixture.runs(), new SweepListener() {}, hook);
    } finally {
      spark.stop();
    }
  }

  private static void assertAllEqualLocal(SweepResult spark, List<Integer> except) {
    assertEquals(fixture.local().parameter(), spark.parameter());
    assertEquals(fixture.runs(), spark.runs());
    assertEquals(fixture.local().results().size(), spark.results().size());
    for (int i = 0; i < spark.results().size(); i++) {
      if (!except.contains(i)) {
        SweepFixture.assertSameRun(fixture.local().results().get(i), spark.results().get(i),
            fixture.runs().get(i).label());
      }
    }
  }

  @Test
  void aSweepOnLocal2EqualsTheLocalSweepBitForBit() {
    List<String> heard = new ArrayList<>();
    JavaSparkContext spark = SweepFixture.spark("local[2]");
    SweepResult result;
    try {
      result = SparkSweep.run(spark, fixture.job(), fixture.runs(), new SweepListener() {
        @Override
        public void onRunStart(int index, int count, SweepRun run) {
          heard.add("start " + index + " " + run.label());
        }

        @Override
        public void onEpochEnd(int index, SweepRun run, EpochRecord epoch) {
          heard.add("epoch " + index);
        }

        @Override
        public void onRunEnd(int index, SweepRun run, TrainingResult r) {
          heard.add("end " + index + " " + run.label());
        }
      });
    } finally {
      spark.stop();
    }
    assertAllEqualLocal(result, List.of());
    assertTrue(result.complete());
    assertEquals(List.of(), result.failedRuns());
    // Each run heard once, as its result arrived (completion order): start, its 3 epochs, end.
    assertEquals(3 * 5, heard.size(), heard.toString());
    List<String> order = new ArrayList<>();
    for (int k = 0; k < 3; k++) {
      String start = heard.get(5 * k);
      assertTrue(start.startsWith("start "), heard.toString());
      String index = start.split(" ")[1];
      assertEquals(List.of("epoch " + index, "epoch " + index, "epoch " + index),
          heard.subList(5 * k + 1, 5 * k + 4), heard.toString());
      assertEquals("end" + start.substring("start".length()), heard.get(5 * k + 4));
      order.add(start.substring("start ".length()));
    }
    assertEquals(List.of("0 lr=0.1", "1 lr=0.01", "2 lr=0.001"),
        order.stream().sorted().toList(), "every run once");
    assertEquals(3 * 16, result.results().get(0).steps(), "3 epochs of 16 steps");
    // Two tasks at once in one JVM: at most two models open, each lent to one task at a time.
    int open = ExecutorModels.open();
    assertTrue(open >= 1 && open <= 2, open + " models open");
  }

  @Test
  void aTaskThatFailsOnceIsRetriedAndStillEqualsTheLocalRun() {
    SweepResult result = onSpark("local[2,2]", new FailingHook(1, 1));
    assertAllEqualLocal(result, List.of());
    assertEquals(List.of(), result.failedRuns());
  }

  @Test
  void withoutRetriesTheSameFailureIsTheRunsOwn() {
    SweepResult result = onSpark("local[2]", new FailingHook(1, 1));
    assertEquals(List.of(1), result.failedRuns(), "local[N] allows one attempt");
    assertAllEqualLocal(result, List.of(1));
  }

  @Test
  void aRunFailingEveryAttemptIsReportedWithItsErrorAndTheOthersCount() throws Exception {
    SweepResult result = onSpark("local[2,3]", new FailingHook(1, Integer.MAX_VALUE));
    assertAllEqualLocal(result, List.of(1));
    assertEquals(List.of(1), result.failedRuns());
    assertTrue(result.complete(), "every run has its result");
    TrainingResult failed = result.results().get(1);
    assertEquals(StopReason.FAILED, failed.stopReason());
    assertTrue(failed.stopDetail().startsWith("injected failure of run 2, attempt 3 (3 attempts,"
        + " last on executor "), failed.stopDetail());
    assertEquals(0, failed.steps());

    SweepReportInput input = new SweepReportInput(fixture.modelDir(), fixture.dataFile(),
        fixture.contract(), fixture.trainingPath(), result, "the file's x_test/y_test", null,
        TensorFlow.version(), System.getProperty("java.version"), Instant.now(), "", List.of());
    Path out = temp.resolve("report");
    try (SweepReportWriter.Staged report = new SweepReportWriter().prepare("blobs-spark",
        Instant.now(), temp, out)) {
      report.write(input);
      report.publish();
    }
    JsonNode json = new ObjectMapper().readTree(out.resolve("sweep.json").toFile());
    assertEquals(1, json.get("failed_runs").size());
    JsonNode item = json.get("failed_runs").get(0);
    assertEquals(2, item.get("run").asInt());
    assertEquals("lr=0.01", item.get("label").asText());
    assertEquals(failed.stopDetail(), item.get("error").asText());
    assertEquals(3, json.get("runs").size());
    assertEquals("failed", json.get("runs").get(1).get("training").get("stop_reason").asText());
    assertEquals("epochs_done",
        json.get("runs").get(0).get("training").get("stop_reason").asText());
    String html = Files.readString(out.resolve("index.html"));
    assertTrue(html.contains("injected failure of run 2"), "the error on the page");
    assertTrue(html.contains("<td>failed</td>") || html.contains(">failed<"), "the run's row");
    assertTrue(Files.exists(out.resolve("overlay_val_loss.png")),
        "the overlays show validation: every run that trained validated");
    assertTrue(html.contains("lr=0.01: failed on every attempt, no epochs."),
        "the panel's caption");
    List<String> csv = Files.readAllLines(out.resolve("runs.csv"));
    assertTrue(csv.get(2).startsWith("2,lr=0.01,0.01,sgd,constant 0.01,,32,3,0,failed,"),
        csv.get(2));
  }

  @Test
  void executorsThatDoNotSeeTheDriversPathsUseTheFilesShippedWithTheJob() throws Exception {
    // The driver's paths exist nowhere here; the files travel as spark-submit --files ships them.
    Path nowhere = temp.resolve("on-the-driver-only");
    dev.lrfinder.lab.SweepJob.Inputs real = fixture.job().inputs();
    dev.lrfinder.lab.SweepJob shipped = new dev.lrfinder.lab.SweepJob(
        new dev.lrfinder.lab.SweepJob.Inputs(nowhere.resolve("blobs_mlp").toString(),
            real.loss(), real.trusted(), real.optimizers(), real.seed(),
            nowhere.resolve("blobs_mlp.npz").toString(), real.labelColumn()),
        fixture.job().plan());
    JavaSparkContext spark = SweepFixture.spark("local[2]");
    SweepResult result;
    try {
      // The model directory's contents zipped, unpacked on the executors under its name.
      Path zip = zipContents(Path.of(real.modelDir()), temp.resolve("model.zip"));
      spark.sc().addArchive(zip + "#blobs_mlp");
      spark.addFile(real.dataFile());
      result = SparkSweep.run(spark, shipped, fixture.runs(), new SweepListener() {});
    } finally {
      spark.stop();
    }
    assertEquals(List.of(), result.failedRuns());
    assertAllEqualLocal(result, List.of());
  }

  @Test
  void aPathFoundNowhereFailsEveryRunWithItsError() {
    Path nowhere = temp.resolve("nowhere");
    dev.lrfinder.lab.SweepJob.Inputs real = fixture.job().inputs();
    dev.lrfinder.lab.SweepJob missing = new dev.lrfinder.lab.SweepJob(
        new dev.lrfinder.lab.SweepJob.Inputs(nowhere.resolve("no_model").toString(),
            real.loss(), real.trusted(), real.optimizers(), real.seed(), real.dataFile(),
            real.labelColumn()), fixture.job().plan());
    JavaSparkContext spark = SweepFixture.spark("local[2]");
    SweepResult result;
    try {
      result = SparkSweep.run(spark, missing, fixture.runs(), new SweepListener() {});
    } finally {
      spark.stop();
    }
    assertEquals(List.of(0, 1, 2), result.failedRuns());
    String error = result.results().get(0).stopDetail();
    assertTrue(error.contains("no_model"), error);
  }

  @Test
  void theAttemptsSparkAllowsFollowTheMaster() {
    SparkConf conf = new SparkConf(false);
    assertEquals(1, SparkSweep.maxFailures("local", conf));
    assertEquals(1, SparkSweep.maxFailures("local[2]", conf));
    assertEquals(1, SparkSweep.maxFailures("local[*]", conf));
    assertEquals(3, SparkSweep.maxFailures("local[2,3]", conf));
    assertEquals(4, SparkSweep.maxFailures("local[*, 4]", conf));
    assertEquals(4, SparkSweep.maxFailures("spark://host:7077", conf));
    assertEquals(7, SparkSweep.maxFailures("spark://host:7077",
        conf.clone().set("spark.task.maxFailures", "7")));
  }

  @Test
  void aTaskCarriesSettingsAndPathsNotTheModel() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(new RunTask(fixture.job(), 4, TaskHook.NONE));
    }
    long model = Files.walk(fixture.modelDir()).filter(Files::isRegularFile)
        .mapToLong(f -> f.toFile().length()).sum();
    assertTrue(bytes.size() < 8192 && bytes.size() * 10L < model, bytes.size()
        + " bytes serialized, the model has " + model);
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      assertEquals(fixture.job(), ((RunTask) in.readObject()).job(), "the job survives");
    }
  }

  private static Path zipContents(Path dir, Path zip) throws java.io.IOException {
    try (java.util.zip.ZipOutputStream out = new java.util.zip.ZipOutputStream(
        Files.newOutputStream(zip)); java.util.stream.Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        out.putNextEntry(new java.util.zip.ZipEntry(dir.relativize(file).toString()));
        Files.copy(file, out);
        out.closeEntry();
      }
    }
    return zip;
  }

  /** Fails run {@code run} on its first {@code attempts} attempts. */
  record FailingHook(int run, int attempts) implements TaskHook {
    @Override
    public void beforeRun(int index, int attempt) {
      if (index == run && attempt < attempts) {
        throw new IllegalStateException("injected failure of run " + (index + 1) + ", attempt "
            + (attempt + 1));
      }
    }
  }
}
