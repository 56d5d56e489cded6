package dev.lrfinder.cli;

import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.Sweep;
import dev.lrfinder.lab.SweepBackend;
import dev.lrfinder.lab.SweepJob;
import dev.lrfinder.lab.SweepListener;
import dev.lrfinder.lab.SweepPlan;
import dev.lrfinder.lab.SweepResult;
import dev.lrfinder.lab.SweepRun;
import dev.lrfinder.lab.TrainSettings;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.model.OptimizerInfo;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.CancellationToken;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.safety.ModelTrust;
import dev.lrfinder.report.SweepJson;
import dev.lrfinder.report.SweepReportInput;
import dev.lrfinder.report.SweepReportWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.tensorflow.TensorFlow;

/**
 * What {@code sweep} and {@code experiment} share: open the model, build the runs (every one
 * checked before any trains), reserve the report, train every run from the same start
 * ({@link Sweep}), write and publish the report.
 *
 * @param modelDir the model
 * @param dataFile its data
 * @param base the settings every run starts from
 * @param optimizerKeys optimizer keys the runs name (a direct model builds those; empty: its
 *     defaults)
 * @param planner the runs, from the base optimizer's key and the model's optimizers
 * @param reportName the report directory's name prefix, or {@code null} for
 *     {@code <model>-sweep}
 * @param about the experiment's words, or {@code null}
 * @param outputs where the report goes, checked
 * @param command the command line the report records
 */
record SweepSession(Path modelDir, Path dataFile, TrainSettings base, List<String> optimizerKeys,
    BiFunction<String, List<OptimizerInfo>, SweepPlan> planner, String reportName,
    SweepReportInput.About about, OutputPaths outputs, String command) {

  /** The backend {@code --spark} runs on ({@link SweepBackend#find}). */
  static final String SPARK = "spark";

  /** {@code --spark MASTER}: every run a task on Spark (the lrfinder-spark module). */
  static Option sparkOption() {
    return LabSpecs.valued(SPARK, "MASTER", "run every run as a task on Apache Spark: a master"
        + " URL (local[2], spark://host:7077) or 'submit' for spark-submit's --master; needs the"
        + " lrfinder-spark module (spark/lrfinder-spark, docs/spark.md)");
  }

  /** What an interrupted sweep keeps. */
  static final String NOTHING_KEPT = "the model on disk is unchanged, no report written";

  int run(CommandLine line, Console console, SweepReportWriter writer) throws IOException {
    try {
      return runOrThrow(line, console, writer);
    } catch (RuntimeException | IOException e) {
      if (!(e instanceof CommandInterrupted) && CommandInterrupted.causedBy(e)) {
        throw new CommandInterrupted(NOTHING_KEPT, e);
      }
      throw e;
    }
  }

  /**
   * The backend {@code --spark} asks for, or {@code null} without the option.
   *
   * @throws UsageException for an empty master or a class path without the Spark module
   */
  static SweepBackend sparkBackend(CommandLine line) {
    String master = line.getOptionValue(SPARK);
    if (master == null) {
      return null;
    }
    if (master.isBlank()) {
      throw new UsageException("--spark needs a master URL (local[2], spark://host:7077) or"
          + " 'submit'");
    }
    return SweepBackend.find(SPARK).orElseThrow(() -> new UsageException("--spark: the"
        + " Spark backend is not on the class path; run spark/lrfinder-spark (the"
        + " lrfinder-spark module) instead of lrfinder, see docs/spark.md"));
  }

  /** What a worker opens to train {@code modelDir} on {@code dataFile} as this command line does. */
  static SweepJob.Inputs inputs(CommandLine line, Path modelDir, List<String> optimizerKeys,
      long seed, Path dataFile) {
    return new SweepJob.Inputs(modelDir.toAbsolutePath().normalize().toString(),
        line.getOptionValue("loss"), ModelOptions.trust(line) == ModelTrust.TRUSTED,
        optimizerKeys, seed, dataFile.toAbsolutePath().normalize().toString(),
        line.getOptionValue("label-column", "label"));
  }

  private int runOrThrow(CommandLine line, Console console, SweepReportWriter writer)
      throws IOException {
    SweepBackend backend = sparkBackend(line);
    String master = line.getOptionValue(SPARK);
    try (TrainableModel model = ModelOptions.open(line, modelDir, optimizerKeys, base.seed(),
        console)) {
      String optimizer = LabSpecs.optimizer(base.optimizer(), model);
      SweepPlan plan = planner.apply(optimizer, model.contract().optimizers());
      TrainingData data = TrainingData.load(dataFile, line, model, console);
      List<SweepRun> runs = plan.runs(model, data.train().rows());
      LinkedHashSet<String> sources = new LinkedHashSet<>();
      for (SweepRun run : runs) {
        try {
          sources.add(LabSpecs.validationSource(run.config(), data));
        } catch (UsageException e) {
          throw new UsageException("run '" + run.label() + "': " + e.getMessage());
        }
      }
      String validationSource = String.join("; ", sources);
      Instant started = Instant.now();
      String modelName = ReportInput.displayName(modelDir, model.contract());
      String name = reportName != null ? reportName : modelName + "-sweep";
      try (SweepReportWriter.Staged report = writer.prepare(name, started, outputs.reportsRoot(),
          outputs.out())) {
        boolean json = line.hasOption("json");
        PrintStream progress = json ? console.err() : console.out();
        progress.printf("sweep of %s: %d runs %s, each from the same start on the same"
            + " batches, data %s%n", modelName, runs.size(), plan.parameter().equals(
                SweepPlan.RUNS) ? "of whole configurations" : "varying " + plan.parameter(),
            dataFile);
        SweepResult result;
        if (backend == null) {
          result = new Sweep(plan.parameter(), runs, List.of(new Progress(progress)))
              .run(model, data.train(), data.test(), new CancellationToken());
        } else {
          progress.printf("on %s %s: one task per run, each opening the model in its"
              + " executor%n", backend.name(), master);
          SweepJob job = new SweepJob(inputs(line, modelDir, optimizerKeys, base.seed(),
              dataFile), plan);
          result = backend.run(job, runs, master, new Progress(progress));
          for (int i : result.failedRuns()) {
            console.err().println("lrfinder: note: run '" + runs.get(i).label() + "' failed on"
                + " every attempt: " + result.results().get(i).stopDetail());
          }
        }
        if (Thread.currentThread().isInterrupted() || !result.complete()) {
          throw new CommandInterrupted(NOTHING_KEPT);
        }
        List<String> notes = new ArrayList<>(model.contract().notes());
        SweepReportInput input = new SweepReportInput(modelDir, dataFile, model.contract(),
            model.trainingPath().toString(), result, validationSource, about,
            TensorFlow.version(), System.getProperty("java.version"), started, command, notes);
        report.write(input);
        Path written = report.publish();
        if (json) {
          console.out().println(SweepJson.toJson(input));
        }
        (json ? console.err() : console.out()).println("report: "
            + written.resolve("index.html"));
      }
    }
    return Main.OK;
  }

  /** A line per run and about ten per run's epochs. */
  private record Progress(PrintStream out) implements SweepListener {
    @Override
    public void onRunStart(int index, int count, SweepRun run) {
      out.printf("run %d/%d %s: %s, %d epochs of %d rows (%s)%n", index + 1, count, run.label(),
          run.config().optimizer(), run.config().epochs(), run.config().batchSize(),
          run.config().schedule().map(s -> s.describe()).orElse("the optimizer's own rate"));
    }

    @Override
    public void onEpochEnd(int index, SweepRun run, EpochRecord epoch) {
      int epochs = run.config().epochs();
      int every = Math.max(1, epochs / 10);
      if ((epoch.epoch() + 1) % every != 0 && epoch.epoch() + 1 != epochs) {
        return;
      }
      StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "  epoch %d/%d",
          epoch.epoch() + 1, epochs));
      for (Map.Entry<String, Double> log : epoch.logs().entrySet()) {
        text.append(String.format(Locale.ROOT, "   %s %.4f", log.getKey(), log.getValue()));
      }
      text.append(String.format(Locale.ROOT, "   lr %.3g", epoch.learningRate()));
      out.println(text);
    }

    @Override
    public void onRunEnd(int index, SweepRun run, TrainingResult result) {
      if (result.stopReason() == StopReason.FAILED) {
        out.println("  failed on every attempt: " + result.stopDetail());
        return;
      }
      out.printf(Locale.ROOT, "  stopped %s after %.2f s%n",
          result.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' '),
          result.seconds());
    }
  }
}
