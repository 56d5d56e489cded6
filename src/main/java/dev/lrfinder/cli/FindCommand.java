package dev.lrfinder.cli;

import dev.lrfinder.data.Batches;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.Npy;
import dev.lrfinder.lab.RangeTestGrid;
import dev.lrfinder.lab.SweepBackend;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.rangetest.HeldOut;
import dev.lrfinder.rangetest.LrSchedule;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestListener;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StepBudget;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.rangetest.Verification;
import dev.lrfinder.rangetest.VerificationResult;
import dev.lrfinder.report.DataScale;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.report.ReportWriter;
import dev.lrfinder.report.ResultJson;
import dev.lrfinder.report.StagedFile;
import dev.lrfinder.report.StagedReport;
import dev.lrfinder.report.SummaryTable;
import dev.lrfinder.suggest.AnalysisSettings;
import dev.lrfinder.suggest.Candidates;
import dev.lrfinder.suggest.RangeTestAnalysis;
import dev.lrfinder.suggest.RepeatedRuns;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.OptionGroup;
import org.apache.commons.cli.Options;
import org.tensorflow.TensorFlow;

/**
 * {@code lrfinder find}: the learning-rate range test for several optimizers, with suggestions
 * and a report (HTML with charts, JSON, CSV). The main job of the tool.
 */
final class FindCommand implements Command {
  /** What an interrupted {@code find} keeps: the model on disk as it was, no outputs. */
  static final String NOTHING_KEPT = "the model was restored, no report written";

  private final ReportWriter reportWriter;

  /** {@code reportWriter} writes the report, and its opener the batch-order file. */
  FindCommand(ReportWriter reportWriter) {
    this.reportWriter = reportWriter;
  }

  @Override
  public String name() {
    return "find";
  }

  @Override
  public String arguments() {
    return "[model-dir]";
  }

  @Override
  public String description() {
    return "run the learning-rate range test for every optimizer (or --optimizers) and write a"
        + " report";
  }

  @Override
  public Options options() {
    OptionGroup length = new OptionGroup()
        .addOption(valued("steps", "N", "steps of the test (default: "
            + RangeTestConfig.DEFAULT_STEPS + ")"))
        .addOption(valued("epochs", "E", "whole epochs instead, or 'auto' for ceil("
            + StepBudget.AUTO_TARGET_UPDATES + "/steps per epoch) epochs (seed 002)"));
    return ThenTrain.addOptions(ModelOptions.addOptions(TrainingData.addOptions(new Options())))
        .addOption(valued("optimizers", "A,B", "optimizer keys to test (default: all of an"
            + " exported model; the compiled one, sgd and adam of a Keras 2 SavedModel)"))
        .addOption(valued("start", "LR", "start learning rate (default: "
            + Args.number(RangeTestConfig.DEFAULT_START_LR) + ")"))
        .addOption(valued("end", "LR", "end learning rate (default: "
            + Args.number(RangeTestConfig.DEFAULT_END_LR) + ")"))
        .addOptionGroup(length)
        .addOption(valued("batch-size", "N", "rows per batch (default: "
            + RangeTestConfig.DEFAULT_BATCH_SIZE + ")"))
        .addOption(valued("schedule", "exp|linear", "learning-rate ramp (default: "
            + (RangeTestConfig.DEFAULT_SCHEDULE == LrSchedule.EXPONENTIAL ? "exp" : "linear")
            + ")"))
        .addOption(valued("beta", "B", "loss smoothing (default: "
            + Args.number(RangeTestConfig.DEFAULT_BETA) + "; 0 = none)"))
        .addOption(valued("stop-factor", "F", "stop when the smoothed loss > F x best, both"
            + " after the skipped start (default: "
            + Args.number(RangeTestConfig.DEFAULT_STOP_FACTOR) + "; 0 or off disables)"))
        .addOption(valued("skip-begin", "N", "points skipped at the start by plots, suggestions"
            + " and the stop factor (default: steps / "
            + RangeTestConfig.DEFAULT_SKIP_BEGIN_DIVISOR + ", fast.ai's)"))
        .addOption(valued("skip-end", "N", "points skipped at the end (default: steps / "
            + AnalysisSettings.DEFAULT_SKIP_END_PER + ", at least 1)"))
        .addOption(valued("validation-batches", "N", "follow the loss on N held-out batches"
            + " (x_test/y_test), measured every step (default: "
            + RangeTestConfig.DEFAULT_VALIDATION_BATCHES + ", the training loss)"))
        .addOption(valued("seed", "N", "seed of the batch shuffle and of Dropout masks (default: "
            + RangeTestConfig.DEFAULT_SEED + ")"))
        .addOption(Option.builder().longOpt("no-shuffle").desc("batches in file order").build())
        .addOption(Option.builder().longOpt("snapshot-on-disk").desc("keep the start state in a"
            + " temporary checkpoint instead of memory (for large models)").build())
        .addOption(valued("batch-order", "FILE", "also write the row indices of every planned"
            + " step to FILE (.npy, int32 [steps, batch]; a new file, written when the report is)"
            + " to replay the batches elsewhere"))
        .addOption(valued("verify", "N", "after the test, train N steps at each distinct"
            + " suggested rate from the same start and batches, and rank the rates by the loss on"
            + " x_test/y_test (all rows; without them, on the last 20% of the training rows)"))
        .addOption(valued("repeats", "K", "run the test with K batch orders (seeds seed, seed+1,"
            + " ...): mean curve with a min-max band, and each rule's spread"))
        .addOption(valued(SweepSession.SPARK, "MASTER", "run each optimizer x seed of the test"
            + " as a task on Apache Spark: a master URL (local[2], spark://host:7077) or 'submit';"
            + " needs the lrfinder-spark module (spark/lrfinder-spark, docs/spark.md)"))
        .addOption(valued("out", "DIR", "report directory (must not exist or be empty, and not"
            + " be inside the model directory; default: reports/<model>-<timestamp>)"))
        .addOption(Option.builder().longOpt("json")
            .desc("print the result JSON on stdout instead of the summary table").build());
  }

  private static Option valued(String name, String arg, String description) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(description).build();
  }

  /** {@code --verify N}: steps per verified rate, 0 when not asked for. */
  static int verifySteps(CommandLine line) {
    return line.hasOption("verify") ? Args.positiveInt(line, "verify", 0) : 0;
  }

  /** {@code --repeats K}: runs of the range test, 0 when not asked for. */
  static int repeats(CommandLine line) {
    return line.hasOption("repeats") ? Args.positiveInt(line, "repeats", 0) : 0;
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    Path modelDir = Args.modelDir(line, console);
    RangeTestConfig config = config(line);
    verifySteps(line);
    repeats(line);
    ThenTrain.plan(line);
    AnalysisSettings analysis = analysis(line);
    OutputPaths outputs = OutputPaths.check(line, modelDir, console.home().resolve("reports"));
    Path dataFile = TrainingData.fileOf(line, modelDir);
    SweepSession.sparkBackend(line);
    try {
      return run(line, console, modelDir, config, analysis, outputs, dataFile);
    } catch (RuntimeException | IOException e) {
      // An interrupted read or write fails with an I/O error: report the interruption instead.
      if (!(e instanceof CommandInterrupted) && CommandInterrupted.causedBy(e)) {
        throw new CommandInterrupted(NOTHING_KEPT, e);
      }
      throw e;
    }
  }

  private int run(CommandLine line, Console console, Path modelDir, RangeTestConfig config,
      AnalysisSettings analysis, OutputPaths outputs, Path dataFile) throws IOException {
    try (TrainableModel model = ModelOptions.open(line, modelDir, config.optimizers(), console)) {
      TrainingData data = TrainingData.load(dataFile, line, model, console);
      if (config.validationBatches() > 0 && data.test() == null) {
        throw new UsageException("--validation-batches needs x_test/y_test in " + dataFile);
      }
      ThenTrain.Plan thenTrain = ThenTrain.plan(line);
      if (thenTrain != null) {
        ThenTrain.check(thenTrain, config.optimizers().isEmpty() ? model.optimizers()
            : config.optimizers());
      }
      Instant started = Instant.now();
      // The outputs' places are taken (their hidden staging directories made) before training,
      // so a place that takes no files is found now; closing gives back what was not published.
      try (StagedReport report = reportWriter.prepare(
              ReportInput.displayName(modelDir, model.contract()), started,
              outputs.reportsRoot(), outputs.out());
          StagedFile order = outputs.batchOrder() == null ? null
              : StagedFile.create(outputs.batchOrder(), reportWriter.opener(),
                  reportWriter.cleanup())) {
        boolean terminal = System.console() != null;
        List<RangeTestListener> progress = List.of(new ProgressBar(console.err(), terminal));
        RangeTest test = new RangeTest(config, progress);
        int repeatCount = repeats(line);
        SweepBackend backend = SweepSession.sparkBackend(line);
        List<RangeTestResult> runs;
        List<String> failedCells = new ArrayList<>();
        if (backend != null) {
          // One run is the first seed's of a repeated test: the same batches, the same curves.
          console.err().println("range test on " + backend.name() + " " + line.getOptionValue(
              SweepSession.SPARK) + ": one task per optimizer x seed");
          RangeTestGrid grid = backend.rangeTests(SweepSession.inputs(line, modelDir,
              config.optimizers(), config.seed(), dataFile), config, Math.max(1, repeatCount),
              line.getOptionValue(SweepSession.SPARK), cellProgress(console));
          if (Thread.currentThread().isInterrupted()) {
            throw new CommandInterrupted(NOTHING_KEPT);
          }
          runs = gridResults(grid, failedCells);
          failedCells.forEach(note -> console.err().println("lrfinder: note: " + note));
        } else {
          runs = repeatCount > 0
              ? test.runRepeated(model, data.train(), data.test(), repeatCount,
                  new CancellationToken())
              : List.of(test.run(model, data.train(), data.test()));
        }
        RangeTestResult result = runs.get(0);
        if (Thread.currentThread().isInterrupted() || runs.stream().flatMap(r -> r.curves()
            .stream()).anyMatch(c -> c.stopReason() == StopReason.INTERRUPTED)) {
          // Ctrl-C or SIGTERM: the model is restored; do not start a report now.
          throw new CommandInterrupted(NOTHING_KEPT);
        }
        RangeTestAnalysis read = RangeTestAnalysis.of(result, analysis);
        RepeatedRuns repeated = repeatCount > 0 ? RepeatedRuns.of(runs, analysis) : null;
        VerificationResult verified = null;
        if (verifySteps(line) > 0) {
          HeldOut split = data.test() != null ? HeldOut.testSplit(data.train(), data.test())
              : HeldOut.validationSplit(data.train());
          if (data.test() == null) {
            console.err().println("lrfinder: note: no x_test/y_test in " + dataFile
                + "; --verify ranks on " + split.description());
          }
          verified = new Verification(verifySteps(line), config.snapshotOnDisk(), progress)
              .run(model, config.batches(split.train()), split.heldOut(), split.description(),
                  Candidates.of(read), new CancellationToken());
          if (Thread.currentThread().isInterrupted() || verified.stoppedEarly()) {
            throw new CommandInterrupted(NOTHING_KEPT);
          }
        }
        List<String> warnings = new ArrayList<>(model.contract().notes());
        warnings.addAll(failedCells);
        List<String> scale = DataScale.warnings(data.train(), model.contract(), result);
        scale.forEach(w -> console.err().println("lrfinder: note: " + w));
        warnings.addAll(scale);
        ReportInput input = reportInput(line, modelDir, dataFile, model, read, result, started)
            .withWarnings(warnings).withVerification(verified).withRepeats(repeated);
        List<StagedReport.TrainedRun> trained = thenTrain == null ? List.of()
            : ThenTrain.run(thenTrain, model, data, input, config, report, console,
                line.hasOption("json") ? console.err() : console.out());
        report.write(input, trained);
        if (order != null) {
          order.write(out -> Npy.write(batchOrder(config, data), out));
          order.publish();
        }
        Path written;
        try {
          written = report.publish();
        } catch (RuntimeException | IOException e) {
          if (order != null) {
            order.retract(); // the batch order of a report that does not exist
          }
          throw e;
        }
        if (line.hasOption("json")) {
          console.out().println(ResultJson.toJson(input));
          console.err().println("report: " + written.resolve("index.html"));
        } else {
          console.out().print(SummaryTable.render(input));
          console.out().println("report: " + written.resolve("index.html"));
        }
        for (StagedReport.TrainedRun run : trained) {
          (line.hasOption("json") ? console.err() : console.out()).println("trained: "
              + written.resolve(run.folder()).resolve("index.html"));
        }
      }
    }
    return Main.OK;
  }

  /**
   * The seeds' results of a backend's range-test grid, each failed cell told in a note added to
   * {@code notes} (printed, and kept in the report's and result.json's warnings).
   *
   * @throws UsageException when every cell failed: nothing to analyse, no report
   */
  static List<RangeTestResult> gridResults(RangeTestGrid grid, List<String> notes) {
    if (grid.allFailed()) {
      throw new UsageException("every optimizer x seed of the range test failed on every"
          + " attempt; the first: " + grid.failed().get(0).describe());
    }
    for (RangeTestGrid.FailedCell cell : grid.failed()) {
      boolean other = grid.results().stream().flatMap(r -> r.curves().stream())
          .anyMatch(c -> c.optimizer().equals(cell.optimizer()));
      notes.add("optimizer '" + cell.optimizer() + "', seed " + cell.seed() + " failed on"
          + " every attempt: " + cell.error() + "; " + (other
              ? "its other seeds' curves count" : "no curve and no suggestions for it"));
    }
    return grid.results();
  }

  /** A line per range-test cell as it comes back from the backend, in completion order. */
  private static RangeTestGrid.Listener cellProgress(Console console) {
    return (done, total, optimizer, seed, curve, error) -> console.err().println(
        curve == null
            ? String.format(java.util.Locale.ROOT, "  [%d/%d] %s seed %d: failed on every"
                + " attempt: %s", done, total, optimizer, seed, error)
            : String.format(java.util.Locale.ROOT, "  [%d/%d] %s seed %d: %d of %d steps, %s,"
                + " %.2f s", done, total, optimizer, seed, curve.stepsRun(),
                curve.plannedSteps(), curve.stopReason().description(), curve.seconds()));
  }

  private static ReportInput reportInput(CommandLine line, Path modelDir, Path dataFile,
      TrainableModel model, RangeTestAnalysis analysis, RangeTestResult result, Instant started) {
    return new ReportInput(modelDir, dataFile, model.contract(),
        model.trainingPath().toString(), result, analysis, TensorFlow.version(),
        System.getProperty("java.version"), started,
        "lrfinder find " + String.join(" ", line.getArgList()) + " " + Args.optionsText(line));
  }

  /** The engine's settings; an option left out takes {@link RangeTestConfig}'s default. */
  static RangeTestConfig config(CommandLine line) {
    RangeTestConfig.Builder builder = RangeTestConfig.builder();
    builder.optimizers(Args.optimizerKeys(line, "optimizers"));
    positive(line, "start").ifPresent(builder::startLr);
    positive(line, "end").ifPresent(builder::endLr);
    if (line.hasOption("steps")) {
      builder.budget(StepBudget.steps(Args.positiveInt(line, "steps",
          Math.toIntExact(RangeTestConfig.DEFAULT_STEPS))));
    } else if (line.hasOption("epochs")) {
      builder.budget(line.getOptionValue("epochs").equals("auto") ? StepBudget.autoEpochs()
          : StepBudget.epochs(Args.positiveInt(line, "epochs", 1)));
    }
    builder.batchSize(Args.positiveInt(line, "batch-size", RangeTestConfig.DEFAULT_BATCH_SIZE));
    if (line.hasOption("schedule")) {
      builder.schedule(LrSchedule.parse(line.getOptionValue("schedule")));
    }
    if (line.hasOption("beta")) {
      builder.beta(Args.rate(line, "beta"));
    }
    if (line.hasOption("stop-factor")) {
      String text = line.getOptionValue("stop-factor");
      builder.stopFactor(text.equalsIgnoreCase("off") ? 0 : Args.rate(line, "stop-factor"));
    }
    builder.skipBegin(Args.nonNegativeInt(line, "skip-begin", RangeTestConfig.SKIP_AUTO));
    builder.validationBatches(Args.nonNegativeInt(line, "validation-batches",
        RangeTestConfig.DEFAULT_VALIDATION_BATCHES));
    builder.seed(Args.longValue(line, "seed", RangeTestConfig.DEFAULT_SEED));
    builder.shuffle(!line.hasOption("no-shuffle"));
    builder.snapshotOnDisk(line.hasOption("snapshot-on-disk"));
    return builder.build();
  }

  /** How the curves are read; an option left out takes {@link AnalysisSettings}'s default. */
  static AnalysisSettings analysis(CommandLine line) {
    return AnalysisSettings.defaults().withSkipEnd(
        Args.nonNegativeInt(line, "skip-end", AnalysisSettings.SKIP_AUTO));
  }

  private static java.util.OptionalDouble positive(CommandLine line, String option) {
    double value = Args.rate(line, option);
    if (Double.isNaN(value)) {
      return java.util.OptionalDouble.empty();
    }
    if (value <= 0) {
      throw new UsageException("--" + option + " must be > 0, got " + line.getOptionValue(option));
    }
    return java.util.OptionalDouble.of(value);
  }

  /** The row indices of every planned step: int32 [steps, batch]. */
  private static HostArray batchOrder(RangeTestConfig config, TrainingData data) {
    Batches batches = config.batches(data.train());
    return batches.order(config.budget().plannedSteps(batches.stepsPerEpoch()));
  }

}
