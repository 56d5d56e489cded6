package dev.lrfinder.cli;

import dev.lrfinder.lab.EpochListener;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.EpochTrainer;
import dev.lrfinder.lab.SavedModelSaver;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.rangetest.RangeTestConfig;
import dev.lrfinder.report.BoundsSource;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.report.TrainingJson;
import dev.lrfinder.report.TrainingReportInput;
import dev.lrfinder.report.TrainingReportWriter;
import dev.lrfinder.schedule.EarlyStopping;
import dev.lrfinder.schedule.EpochRule;
import dev.lrfinder.schedule.ReduceLROnPlateau;
import dev.lrfinder.schedule.Schedule;
import dev.lrfinder.schedule.Schedules;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.cli.CommandLine;
import org.tensorflow.TensorFlow;

/**
 * {@code lrfinder train --epochs N}: the lab's epoch loop ({@link EpochTrainer}) from the command
 * line: a line per epoch, the learning-curve report ({@code --out}) and the trained model
 * ({@code --save}). Every output's place is checked before the model is loaded; the report's is
 * taken (its hidden staging directory made) before training.
 */
final class TrainEpochs {
  /** Options that only mean something with {@code --epochs}. */
  static final List<String> EPOCH_ONLY = List.of("schedule", "plateau", "early-stopping",
      "validation-split", "out", "drop-remainder", "bounds-from");

  private final TrainingReportWriter reportWriter;

  TrainEpochs(TrainingReportWriter reportWriter) {
    this.reportWriter = reportWriter;
  }

  /** The {@code --save} directory, checked to be new and outside the model; null without one. */
  static Path savePath(CommandLine line, Path modelDir) {
    String text = line.getOptionValue("save");
    if (text == null) {
      return null;
    }
    Path save;
    try {
      save = Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      throw new UsageException("--save '" + text + "' is not a valid path: " + e.getReason());
    }
    if (Files.isDirectory(modelDir)) {
      SavedModelSaver.checkTarget(modelDir, save);
    }
    return save;
  }

  int run(CommandLine line, Console console) throws IOException {
    if (line.hasOption("steps")) {
      throw new UsageException("--steps and --epochs exclude each other: give one");
    }
    Path modelDir = Args.modelDir(line, console);
    int epochs = Args.positiveInt(line, "epochs", 1);
    int batchSize = Args.positiveInt(line, "batch-size", RangeTestConfig.DEFAULT_BATCH_SIZE);
    long seed = Args.longValue(line, "seed", RangeTestConfig.DEFAULT_SEED);
    double lr = Args.rate(line, "lr");
    double split = fraction(line);
    OutputPaths outputs = OutputPaths.check(line, modelDir, console.home().resolve("reports"));
    Path save = savePath(line, modelDir);
    if (save != null && outputs.out() != null) {
      Path a = OutputPaths.real(save);
      Path b = OutputPaths.real(outputs.out());
      if (a.startsWith(b) || b.startsWith(a)) {
        throw new UsageException("--save '" + save + "' and --out '" + outputs.out()
            + "' overlap; give them separate directories");
      }
    }
    Path dataFile = TrainingData.fileOf(line, modelDir);
    List<String> wanted = line.hasOption("optimizer")
        ? List.of(line.getOptionValue("optimizer")) : List.of();
    try (TrainableModel model = ModelOptions.open(line, modelDir, wanted, console)) {
      String optimizer = line.getOptionValue("optimizer", model.optimizers().get(0));
      if (!model.optimizers().contains(optimizer)) {
        throw new UsageException(model.contract().noSuchOptimizer(optimizer));
      }
      if (save != null) {
        SavedModelSaver.requireSavable(modelDir); // before training, not after
      }
      TrainingData data = TrainingData.load(dataFile, line, model, console);
      long trainRows = split > 0 ? (long) Math.floor(data.train().rows() * (1.0 - split))
          : data.train().rows();
      if (split > 0 && (trainRows <= 0 || trainRows >= data.train().rows())) {
        throw new UsageException("--validation-split " + line.getOptionValue("validation-split")
            + " leaves no rows to " + (trainRows <= 0 ? "train on" : "validate on") + " of the "
            + data.train().rows() + " in " + dataFile);
      }
      if (trainRows < batchSize) {
        throw new UsageException("the training data has " + trainRows + " rows, fewer than the"
            + " batch size " + batchSize);
      }
      boolean dropRemainder = line.hasOption("drop-remainder");
      int stepsPerEpoch = Math.toIntExact(dropRemainder ? trainRows / batchSize
          : (trainRows + batchSize - 1) / batchSize);
      double optimizerRate = Double.isNaN(lr) ? model.learningRate(optimizer) : lr;
      BoundsSource bounds = line.hasOption("bounds-from")
          ? BoundsFlow.read(line.getOptionValue("bounds-from"), optimizer) : null;
      Schedule schedule = bounds != null
          ? BoundsFlow.schedule("--schedule", line.getOptionValue("schedule",
              BoundsFlow.DEFAULT_SCHEDULE), new Schedules.Run((long) epochs * stepsPerEpoch,
              stepsPerEpoch, optimizerRate), bounds)
          : line.hasOption("schedule")
          ? LabSpecs.schedule(line.getOptionValue("schedule"), (long) epochs * stepsPerEpoch,
              stepsPerEpoch, optimizerRate)
          : Schedule.constant(optimizerRate);
      List<EpochRule> rules = new ArrayList<>();
      if (line.hasOption("plateau")) {
        if (varies(schedule, (long) epochs * stepsPerEpoch, stepsPerEpoch)) {
          throw new UsageException("--plateau sets the rate itself, so it needs a constant"
              + " schedule; '" + line.getOptionValue("schedule") + "' varies");
        }
        rules.add(LabSpecs.plateau(line.getOptionValue("plateau")));
      }
      if (line.hasOption("early-stopping")) {
        rules.add(LabSpecs.earlyStopping(line.getOptionValue("early-stopping")));
      }
      TrainingConfig config = new TrainingConfig(optimizer, epochs, batchSize, dropRemainder,
          !line.hasOption("no-shuffle"), seed, Optional.of(schedule), rules, split);
      String validationSource = split > 0
          ? "the last " + Args.number(100 * split) + "% of the training rows (validation_split)"
          : data.test() != null ? "the test split (x_test/y_test)" : "";
      for (EpochRule rule : rules) {
        String monitor = rule instanceof ReduceLROnPlateau p ? p.monitor()
            : rule instanceof EarlyStopping e ? e.monitor() : "";
        if (monitor.startsWith("val_") && validationSource.isEmpty()) {
          throw new UsageException("'" + rule.describe() + "' monitors " + monitor + ", but there"
              + " is no validation data: give --validation-split or data with x_test/y_test");
        }
      }
      Instant started = Instant.now();
      String modelName = ReportInput.displayName(modelDir, model.contract());
      try (TrainingReportWriter.Staged report = reportWriter.prepare(modelName, started,
          outputs.reportsRoot(), outputs.out())) {
        boolean json = line.hasOption("json");
        PrintStream progress = json ? console.err() : console.out();
        progress.printf("training %s with %s for %d epoch%s of %d steps of %d rows from %s"
                + " (%s; seed %d)%n", modelName, optimizer, epochs, epochs == 1 ? "" : "s",
            stepsPerEpoch, batchSize, dataFile, schedule.describe(), seed);
        EpochTrainer trainer = new EpochTrainer(config, List.of(new Progress(progress, epochs)));
        TrainingResult result = trainer.run(model, data.train(), split > 0 ? null : data.test());
        if (result.stopReason() == StopReason.INTERRUPTED
            || Thread.currentThread().isInterrupted()) {
          throw new CommandInterrupted(TrainCommand.NOTHING_KEPT);
        }
        result.notes().forEach(n -> console.err().println("lrfinder: note: " + n));
        List<String> notes = new ArrayList<>(model.contract().notes());
        if (bounds != null && !bounds.model().isEmpty() && !bounds.model().equals(modelName)) {
          String note = "the bounds come from a range test of " + bounds.model() + ", not of "
              + modelName;
          console.err().println("lrfinder: note: " + note);
          notes.add(note);
        }
        TrainingReportInput input = new TrainingReportInput(modelDir, dataFile, model.contract(),
            model.trainingPath().toString(), result, validationSource, TensorFlow.version(),
            System.getProperty("java.version"), started, "lrfinder train "
                + String.join(" ", line.getArgList()) + " " + Args.optionsText(line), notes)
            .withBoundsFrom(bounds);
        report.write(input);
        if (save != null) {
          SavedModelSaver.save(model, modelDir, save);
        }
        Path written;
        try {
          written = report.publish();
        } catch (RuntimeException | IOException e) {
          if (save != null) {
            deleteSaved(save);
          }
          throw e;
        }
        progress.println("stopped " + stopText(result));
        if (json) {
          console.out().println(TrainingJson.toJson(input));
        }
        PrintStream paths = json ? console.err() : console.out();
        paths.println("report: " + written.resolve("index.html"));
        if (save != null) {
          paths.println("model: " + save.toAbsolutePath().normalize());
        }
      }
    }
    return Main.OK;
  }

  private static String stopText(TrainingResult result) {
    String text = switch (result.stopReason()) {
      case EPOCHS_DONE -> "after the last epoch";
      case EARLY_STOPPING -> "early";
      case DIVERGED -> "diverged";
      case CANCELLED -> "cancelled";
      case INTERRUPTED -> "interrupted";
    };
    return result.stopDetail().isEmpty() ? text : text + ": " + result.stopDetail();
  }

  /** Whether {@code schedule} gives more than one rate over the run's steps. */
  private static boolean varies(Schedule schedule, long steps, int stepsPerEpoch) {
    double first = schedule.learningRate(0, 0);
    for (long s = 1; s < steps; s++) {
      if (schedule.learningRate(s, (int) (s / stepsPerEpoch)) != first) {
        return true;
      }
    }
    return false;
  }

  private static double fraction(CommandLine line) {
    String text = line.getOptionValue("validation-split");
    if (text == null) {
      return 0;
    }
    try {
      double value = Double.parseDouble(text.trim());
      if (!(value > 0 && value < 1)) {
        throw new UsageException("--validation-split must be a fraction between 0 and 1, got "
            + text);
      }
      return value;
    } catch (NumberFormatException e) {
      throw new UsageException("--validation-split must be a number, got '" + text + "'");
    }
  }

  private static void deleteSaved(Path save) {
    try (var paths = Files.walk(save)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // Best effort: the failure that brought us here is what the user hears about.
    }
  }

  /** One line per epoch: its logs, rate, time and what the rules decided. */
  record Progress(PrintStream out, int epochs) implements EpochListener {
    @Override
    public void onEpochEnd(EpochRecord epoch) {
      StringBuilder text = new StringBuilder(String.format(Locale.ROOT, "epoch %d/%d",
          epoch.epoch() + 1, epochs));
      for (Map.Entry<String, Double> log : epoch.logs().entrySet()) {
        text.append(String.format(Locale.ROOT, "   %s %.4f", log.getKey(), log.getValue()));
      }
      text.append(String.format(Locale.ROOT, "   lr %.3g   %.2f s", epoch.learningRate(),
          epoch.seconds()));
      if (!epoch.decision().isEmpty()) {
        text.append("   (").append(epoch.decision()).append(')');
      }
      out.println(text);
    }
  }
}
