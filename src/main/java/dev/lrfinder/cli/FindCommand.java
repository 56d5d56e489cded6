package dev.lrfinder.cli;

import dev.lrfinder.data.Batches;
import dev.lrfinder.data.HostArray;
import dev.lrfinder.data.Npy;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.LrSchedule;
import dev.lrfinder.rangetest.OptimizerCurve;
import dev.lrfinder.rangetest.RangeTest;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.rangetest.RangeTestResult;
import dev.lrfinder.rangetest.StepBudget;
import dev.lrfinder.rangetest.StopReason;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.report.ReportWriter;
import dev.lrfinder.report.ResultJson;
import dev.lrfinder.report.SummaryTable;
import dev.lrfinder.suggest.Curve;
import dev.lrfinder.suggest.Suggestion;
import dev.lrfinder.suggest.Suggestions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
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
        .addOption(valued("steps", "N", "steps of the test (default: 100)"))
        .addOption(valued("epochs", "E", "whole epochs instead, or 'auto' for ceil(2048/steps"
            + " per epoch) epochs (seed 002)"));
    return ModelOptions.addOptions(TrainingData.addOptions(new Options()))
        .addOption(valued("optimizers", "A,B", "optimizer keys to test (default: all of an"
            + " exported model; the compiled one, sgd and adam of a Keras 2 SavedModel)"))
        .addOption(valued("start", "LR", "start learning rate (default: 1e-7)"))
        .addOption(valued("end", "LR", "end learning rate (default: 10)"))
        .addOptionGroup(length)
        .addOption(valued("batch-size", "N", "rows per batch (default: 64)"))
        .addOption(valued("schedule", "exp|linear", "learning-rate ramp (default: exp)"))
        .addOption(valued("beta", "B", "loss smoothing (default: 0.98; 0 = none)"))
        .addOption(valued("stop-factor", "F", "stop when the smoothed loss > F x best"
            + " (default: 4; 0 or off disables)"))
        .addOption(valued("skip-begin", "N", "points skipped at the start by plots and"
            + " suggestions (default: 10)"))
        .addOption(valued("skip-end", "N", "points skipped at the end (default: 1)"))
        .addOption(valued("validation-batches", "N", "follow the loss on N held-out batches"
            + " (x_test/y_test), measured every step (default: 0, the training loss)"))
        .addOption(valued("seed", "N", "seed of the batch shuffle (default: 0)"))
        .addOption(Option.builder().longOpt("no-shuffle").desc("batches in file order").build())
        .addOption(Option.builder().longOpt("snapshot-on-disk").desc("keep the start state in a"
            + " temporary checkpoint instead of memory (for large models)").build())
        .addOption(valued("batch-order", "FILE", "also write the row indices of every planned"
            + " step to FILE (.npy, int32 [steps, batch]) to replay the batches elsewhere"))
        .addOption(valued("out", "DIR", "report directory (must not exist or be empty;"
            + " default: reports/<model>-<timestamp>)"))
        .addOption(Option.builder().longOpt("json")
            .desc("print the result JSON on stdout instead of the summary table").build());
  }

  private static Option valued(String name, String arg, String description) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(description).build();
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    Path modelDir = Args.modelDir(line, console);
    RangeTestConfig config = config(line);
    Path out = line.hasOption("out") ? Path.of(line.getOptionValue("out")) : null;
    checkOutputIsFree(out);
    Path dataFile = TrainingData.fileOf(line, modelDir);

    try (TrainableModel model = ModelOptions.open(line, modelDir, config.optimizers(), console)) {
      TrainingData data = TrainingData.load(dataFile, line, model);
      if (config.validationBatches() > 0 && data.test() == null) {
        throw new UsageException("--validation-batches needs x_test/y_test in " + dataFile);
      }
      if (line.hasOption("batch-order")) {
        writeBatchOrder(Path.of(line.getOptionValue("batch-order")), config, data);
      }
      boolean terminal = System.console() != null;
      RangeTest test = new RangeTest(config, List.of(new ProgressBar(console.err(), terminal)));
      RangeTestResult result = test.run(model, data.train(), data.test());
      if (result.curves().stream().anyMatch(c -> c.stopReason() == StopReason.INTERRUPTED)) {
        // The JVM is shutting down (Ctrl-C): the model is restored; do not start a report now.
        console.err().println("lrfinder: interrupted; the model was restored, no report written");
        return Main.INTERRUPTED;
      }

      Map<String, List<Suggestion>> suggestions = new LinkedHashMap<>();
      for (OptimizerCurve curve : result.curves()) {
        Curve prepared = Curve.of(curve.learningRateArray(), curve.smoothedArray(),
            config.skipBegin(), config.skipEnd());
        suggestions.put(curve.optimizer(), Suggestions.apply(Suggestions.defaultRules(), prepared));
      }
      ReportInput input = new ReportInput(modelDir, dataFile, model.contract(),
          model.trainingPath(), result, suggestions, TensorFlow.version(),
          System.getProperty("java.version"), Instant.now(),
          "lrfinder find " + String.join(" ", line.getArgList()) + " " + optionsText(line));
      Path report = new ReportWriter().write(input, console.home().resolve("reports"), out);
      if (line.hasOption("json")) {
        console.out().println(ResultJson.toJson(input));
        console.err().println("report: " + report.resolve("index.html"));
      } else {
        console.out().print(SummaryTable.render(input));
        console.out().println("report: " + report.resolve("index.html"));
      }
    }
    return Main.OK;
  }

  static RangeTestConfig config(CommandLine line) {
    RangeTestConfig.Builder builder = RangeTestConfig.builder();
    if (line.hasOption("optimizers")) {
      builder.optimizers(Arrays.stream(line.getOptionValue("optimizers").split(","))
          .map(String::trim).filter(s -> !s.isEmpty()).toList());
    }
    positive(line, "start").ifPresent(builder::startLr);
    positive(line, "end").ifPresent(builder::endLr);
    if (line.hasOption("steps")) {
      builder.budget(StepBudget.steps(Args.positiveInt(line, "steps", 100)));
    } else if (line.hasOption("epochs")) {
      builder.budget(line.getOptionValue("epochs").equals("auto") ? StepBudget.autoEpochs()
          : StepBudget.epochs(Args.positiveInt(line, "epochs", 1)));
    }
    builder.batchSize(Args.positiveInt(line, "batch-size", 64));
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
    builder.skipBegin(Args.nonNegativeInt(line, "skip-begin", 10));
    builder.skipEnd(Args.nonNegativeInt(line, "skip-end", 1));
    builder.validationBatches(Args.nonNegativeInt(line, "validation-batches", 0));
    builder.seed(Args.longValue(line, "seed", 0));
    builder.shuffle(!line.hasOption("no-shuffle"));
    builder.snapshotOnDisk(line.hasOption("snapshot-on-disk"));
    return builder.build();
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

  private static void checkOutputIsFree(Path out) throws IOException {
    if (out == null || !Files.exists(out)) {
      return;
    }
    if (!Files.isDirectory(out)) {
      throw new UsageException("--out '" + out + "' exists and is not a directory");
    }
    try (Stream<Path> entries = Files.list(out)) {
      if (entries.findAny().isPresent()) {
        throw new UsageException("--out '" + out + "' is not empty; reports are never overwritten");
      }
    }
  }

  private static void writeBatchOrder(Path file, RangeTestConfig config, TrainingData data)
      throws IOException {
    Batches batches = config.batches(data.train());
    HostArray order = batches.order(config.budget().plannedSteps(batches.stepsPerEpoch()));
    try (java.io.OutputStream out = Files.newOutputStream(file)) {
      Npy.write(order, out);
    }
  }

  private static String optionsText(CommandLine line) {
    StringBuilder text = new StringBuilder();
    for (Option option : line.getOptions()) {
      text.append("--").append(option.getLongOpt());
      if (option.hasArg()) {
        text.append(' ').append(option.getValue());
      }
      text.append(' ');
    }
    return text.toString().trim();
  }
}
