package dev.lrfinder.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lrfinder.data.Batch;
import dev.lrfinder.data.Batches;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.lab.SavedModelSaver;
import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.StepResult;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.report.TrainingReportWriter;
import dev.lrfinder.schedule.Schedules;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lrfinder train}: a few training steps at a fixed learning rate, printing the loss, or
 * with {@code --epochs} whole epochs with a schedule, learning curves and a report
 * ({@link TrainEpochs}). The model is trained in memory; nothing on disk changes, except a new
 * directory that {@code --save} names.
 */
final class TrainCommand implements Command {
  /** What an interrupted epoch run keeps. */
  static final String NOTHING_KEPT = "the model on disk is unchanged, no report or model written";

  private final TrainingReportWriter reportWriter;

  /** A command writing reports with {@code reportWriter}. */
  TrainCommand(TrainingReportWriter reportWriter) {
    this.reportWriter = reportWriter;
  }

  /** A command writing reports on the disk, registering nothing for a shutdown. */
  TrainCommand() {
    this(new TrainingReportWriter());
  }

  @Override
  public String name() {
    return "train";
  }

  @Override
  public String arguments() {
    return "[model-dir]";
  }

  /** Steps when {@code --steps} is not given. */
  static final int DEFAULT_STEPS = 100;

  @Override
  public String description() {
    return "train for some steps at a fixed rate, or --epochs with a schedule, learning curves"
        + " and a report (the model on disk is not changed; --save writes a new one)";
  }

  @Override
  public Options options() {
    return LabSpecs.addTrainOptions(ModelOptions.addOptions(TrainingData.addOptions(
        new Options())), "with --epochs: ")
        .addOption(valued("steps", "N", "training steps (default: " + DEFAULT_STEPS + ")"))
        .addOption(valued("epochs", "N", "train N whole epochs instead: learning curves per"
            + " epoch, a report (--out) and the model (--save)"))
        .addOption(valued("bounds-from", "REPORT_DIR", "with --epochs: train between the"
            + " cyclical bounds (cyclical_base, cyclical_max) that the find report REPORT_DIR"
            + " found for the optimizer; --schedule (default: triangular) gives step, step_epochs"
            + " or gamma, the report min and max"))
        .addOption(valued("out", "DIR", "with --epochs: report directory (must not exist or be"
            + " empty, and not be inside the model directory; default:"
            + " reports/<model>-train-<timestamp>)"))
        .addOption(valued("save", "DIR", "write the trained model to DIR as a new SavedModel of"
            + " the same kind (a new directory, never the model's own)"))
        .addOption(valued("every", "N", "print every N steps (default: steps/10)"))
        .addOption(Option.builder().longOpt("json").desc("print every step as JSON").build());
  }

  private static Option valued(String name, String arg, String description) {
    return Option.builder().longOpt(name).hasArg().argName(arg).desc(description).build();
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    if (line.hasOption("epochs")) {
      try {
        return new TrainEpochs(reportWriter).run(line, console);
      } catch (RuntimeException | java.io.IOException e) {
        if (!(e instanceof CommandInterrupted) && CommandInterrupted.causedBy(e)) {
          throw new CommandInterrupted(NOTHING_KEPT, e);
        }
        throw e;
      }
    }
    for (String option : TrainEpochs.EPOCH_ONLY) {
      if (line.hasOption(option)) {
        throw new UsageException("--" + option + " needs --epochs");
      }
    }
    Path modelDir = Args.modelDir(line, console);
    Path save = TrainEpochs.savePath(line, modelDir);
    int steps = Args.positiveInt(line, "steps", DEFAULT_STEPS);
    int batchSize = Args.positiveInt(line, "batch-size", RangeTestConfig.DEFAULT_BATCH_SIZE);
    int every = Args.positiveInt(line, "every", Math.max(1, steps / 10));
    long seed = Args.longValue(line, "seed", RangeTestConfig.DEFAULT_SEED);
    double rate = Args.rate(line, "lr");
    Path dataFile = TrainingData.fileOf(line, modelDir);
    boolean json = line.hasOption("json");

    try (TrainableModel model = TrainEpochs.openForTraining(line, modelDir, save, console)) {
      String optimizer = LabSpecs.optimizer(line.getOptionValue("optimizer"), model);
      TrainingData data = TrainingData.load(dataFile, line, model, console);
      Dataset train = data.train();
      Batches batches = new Batches(train, batchSize, !line.hasOption("no-shuffle"), seed);
      if (!Double.isNaN(rate)) {
        model.setLearningRate(optimizer, rate);
      }
      double lr = model.learningRate(optimizer);
      Dataset test = data.test();

      if (!json) {
        console.out().printf("training %s with %s at learning rate %s: %d steps of %d rows from %s"
                + " (%d rows, seed %d)%n", model.contract().modelName(), optimizer,
            InspectCommand.format(lr), steps, batchSize, dataFile, train.rows(), seed);
        console.out().println(save == null
            ? "the model is trained in memory; nothing on disk changes"
            : "the model is trained in memory, then written to " + save);
        if (model.contract().hasSeveralOutputs()) {
          console.out().println("loss is the " + model.contract().loss());
        }
      }
      StepResult before = test == null ? null : evaluate(model, test, batchSize);
      if (before != null && !json) {
        console.out().printf("test before  %s%n", describe(before));
      }
      List<Map<String, Object>> records = new ArrayList<>();
      long started = System.nanoTime();
      for (int step = 0; step < steps; step++) {
        if (Thread.currentThread().isInterrupted()) { // Ctrl-C, SIGTERM (CommandShutdown)
          throw new CommandInterrupted("nothing on disk changed");
        }
        StepResult result = model.trainStep(optimizer, batches.get(step));
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("step", step);
        record.put("loss", result.loss());
        result.outputLosses().forEach((key, value) -> record.put(
            ModelContract.sanitize(key) + "_loss", value));
        record.putAll(result.metrics());
        records.add(record);
        if (!json && ((step + 1) % every == 0 || step == steps - 1)) {
          console.out().printf("step %5d   %s%n", step + 1, describe(result));
        }
      }
      double seconds = (System.nanoTime() - started) / 1e9;
      StepResult after = test == null ? null : evaluate(model, test, batchSize);
      if (save != null) {
        SavedModelSaver.save(model, modelDir, save);
        (json ? console.err() : console.out()).println("model: "
            + save.toAbsolutePath().normalize());
      }
      if (json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("model", model.contract().modelName());
        out.put("optimizer", optimizer);
        out.put("learning_rate", lr);
        out.put("batch_size", batchSize);
        out.put("shuffle", !line.hasOption("no-shuffle"));
        out.put("seed", seed);
        out.put("steps", records);
        out.put("test_before", before);
        out.put("test_after", after);
        out.put("seconds", seconds);
        console.out().println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .writeValueAsString(out));
      } else {
        if (after != null) {
          console.out().printf("test after   %s%n", describe(after));
        }
        console.out().printf(Locale.ROOT, "%d steps in %.2f s (%.2f ms per step)%n", steps, seconds,
            1000 * seconds / steps);
      }
    }
    return Main.OK;
  }

  /** Loss and metrics over every row, each batch weighted by its size. */
  private static StepResult evaluate(TrainableModel model, Dataset data, int batchSize) {
    double loss = 0;
    Map<String, Double> outputLosses = new LinkedHashMap<>();
    Map<String, Double> metrics = new LinkedHashMap<>();
    for (Batch batch : Batches.sequential(data, batchSize)) {
      StepResult result = model.evaluate(batch);
      double weight = (double) batch.size() / data.rows();
      loss += weight * result.loss();
      result.outputLosses().forEach((k, v) -> outputLosses.merge(k, weight * v, Double::sum));
      result.metrics().forEach((k, v) -> metrics.merge(k, weight * v, Double::sum));
    }
    return new StepResult(loss, outputLosses, metrics);
  }

  private static String describe(StepResult result) {
    StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "loss %.4f", result.loss()));
    result.outputLosses().forEach((k, v) -> text.append(String.format(Locale.ROOT,
        "   %s_loss %.4f", ModelContract.sanitize(k), v)));
    result.metrics().forEach((k, v) -> text.append(String.format(Locale.ROOT, "   %s %.4f", k, v)));
    return text.toString();
  }
}
