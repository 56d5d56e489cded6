package dev.lrfinder.cli;

import dev.lrfinder.lab.EpochTrainer;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.TrainSettings;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.model.ModelSnapshot;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.report.BoundsSource;
import dev.lrfinder.report.FindReportBounds;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.report.StagedReport;
import dev.lrfinder.report.TrainingReportInput;
import dev.lrfinder.schedule.Schedule;
import dev.lrfinder.schedule.Schedules;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;
import org.tensorflow.TensorFlow;

/**
 * {@code find --then-train EPOCHS}: after the range test, each optimizer trains EPOCHS epochs
 * from the same start with a cyclical schedule between the bounds the test just found (seed
 * 002's flow in one command). Each run's training report goes into a folder of the find report
 * ({@code train-<optimizer>/}), which lists them with their final values and loss chart.
 */
final class ThenTrain {
  /** The folder of an optimizer's training report inside the find report. */
  static String folder(String optimizer) {
    return "train-" + optimizer;
  }

  /**
   * What to train after the range test.
   *
   * @param epochs epochs of each run
   * @param optimizers the optimizers to train, or empty for every tested one that found bounds
   * @param spec the cyclical schedule, without min and max
   */
  record Plan(int epochs, List<String> optimizers, String spec) {}

  private ThenTrain() {}

  /** {@code find}'s options for this flow. */
  static Options addOptions(Options options) {
    return options
        .addOption(valued("then-train", "EPOCHS", "after the test, train EPOCHS epochs from the"
            + " same start between the cyclical bounds it found (cyclical_base to"
            + " cyclical_max), validating on x_test/y_test; learning curves in the report"))
        .addOption(valued("then-optimizers", "A,B", "with --then-train: the optimizers to"
            + " train (default: every tested optimizer whose bounds were found)"))
        .addOption(valued("then-schedule", "SPEC", "with --then-train: triangular,"
            + " triangular2 or exp_range with step, step_epochs or gamma (default: "
            + BoundsFlow.DEFAULT_SCHEDULE + ", a half-cycle of 4 epochs); min and max are the"
            + " bounds"));
  }

  private static Option valued(String name, String arg, String description) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(description).build();
  }

  /** The plan of the command line, or null without {@code --then-train}. */
  static Plan plan(CommandLine line) {
    if (!line.hasOption("then-train")) {
      for (String option : List.of("then-optimizers", "then-schedule")) {
        if (line.hasOption(option)) {
          throw new UsageException("--" + option + " needs --then-train");
        }
      }
      return null;
    }
    int epochs = Args.positiveInt(line, "then-train", 1);
    String spec = line.getOptionValue("then-schedule", BoundsFlow.DEFAULT_SCHEDULE);
    BoundsFlow.checkSpec("--then-schedule", spec);
    return new Plan(epochs, Args.optimizerKeys(line, "then-optimizers"), spec);
  }

  /** Refuses optimizers to train that the range test will not test. */
  static void check(Plan plan, List<String> tested) {
    for (String key : plan.optimizers()) {
      if (!tested.contains(key)) {
        throw new UsageException("--then-optimizers names '" + key + "', which the range test"
            + " does not test (" + String.join(", ", tested) + ")");
      }
    }
  }

  /**
   * Trains every planned optimizer from the model's current state (the range test's start,
   * restored) and writes each training report into {@code report}; returns the runs, in order.
   */
  static List<StagedReport.TrainedRun> run(Plan plan, TrainableModel model, TrainingData data,
      ReportInput input, RangeTestConfig rangeTest, StagedReport report, Console console,
      PrintStream progress) throws IOException {
    List<String> optimizers = plan.optimizers().isEmpty()
        ? input.result().curves().stream().map(c -> c.optimizer()).toList()
        : plan.optimizers();
    // train's settings for these runs: find's batch size, seed and order, every batch trained,
    // no rules, no split; the schedule is replaced by the bounded one below.
    TrainSettings settings = new TrainSettings(null, plan.epochs(), rangeTest.batchSize(),
        Double.NaN, null, null, null, 0, false, rangeTest.seed(), rangeTest.shuffle());
    long rows = data.train().rows();
    int stepsPerEpoch = settings.stepsPerEpoch(rows);
    long total = (long) plan.epochs() * stepsPerEpoch;
    List<StagedReport.TrainedRun> runs = new ArrayList<>();
    ModelSnapshot start = model.snapshot();
    for (String optimizer : optimizers) {
      BoundsSource bounds;
      try {
        bounds = FindReportBounds.of(input, optimizer, "../ (the find report this run is part of)",
            "../index.html");
      } catch (IllegalArgumentException e) {
        console.err().println("lrfinder: note: " + optimizer + " not trained: " + e.getMessage());
        continue;
      }
      Schedule schedule = BoundsFlow.schedule("--then-schedule", plan.spec(),
          new Schedules.Run(total, stepsPerEpoch, model.learningRate(optimizer)), bounds);
      TrainingConfig config = settings.config(optimizer, model.learningRate(optimizer), rows)
          .withSchedule(schedule);
      String validation = LabSpecs.validationSource(config, data);
      progress.printf("training %s with %s for %d epoch%s of %d steps of %d rows (%s)%n",
          input.modelName(), optimizer, plan.epochs(), plan.epochs() == 1 ? "" : "s",
          stepsPerEpoch, config.batchSize(), schedule.describe());
      model.restore(start);
      TrainingResult result = new EpochTrainer(config,
          List.of(new TrainEpochs.Progress(progress, plan.epochs())))
          .run(model, data.train(), data.test());
      if (result.stopReason() == StopReason.INTERRUPTED
          || Thread.currentThread().isInterrupted()) {
        throw new CommandInterrupted(FindCommand.NOTHING_KEPT);
      }
      result.notes().forEach(n -> console.err().println("lrfinder: note: " + n));
      TrainingReportInput training = new TrainingReportInput(input.modelDir(),
          input.dataFile(), input.contract(), input.trainingPath(), result, validation,
          TensorFlow.version(), System.getProperty("java.version"), input.createdAt(),
          input.command(), input.contract().notes()).withBoundsFrom(bounds);
      report.writeTraining(folder(optimizer), training);
      runs.add(new StagedReport.TrainedRun(folder(optimizer), result));
    }
    model.restore(start);
    return runs;
  }
}
