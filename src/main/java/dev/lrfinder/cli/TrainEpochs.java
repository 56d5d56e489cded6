package dev.lrfinder.cli;

import dev.lrfinder.lab.EpochListener;
import dev.lrfinder.lab.EpochRecord;
import dev.lrfinder.lab.EpochTrainer;
import dev.lrfinder.lab.SavedModelSaver;
import dev.lrfinder.lab.StopReason;
import dev.lrfinder.lab.TrainSettings;
import dev.lrfinder.lab.TrainingConfig;
import dev.lrfinder.lab.TrainingResult;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.report.BoundsSource;
import dev.lrfinder.report.ReportInput;
import dev.lrfinder.report.TrainingJson;
import dev.lrfinder.report.TrainingReportInput;
import dev.lrfinder.report.TrainingReportWriter;
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

  /**
   * Opens the model with the optimizer {@code --optimizer} names (a direct model builds only
   * that one; all of its defaults without the option), checked to be savable before any training
   * when {@code save} is given: what {@code train} does in both its modes.
   */
  static TrainableModel openForTraining(CommandLine line, Path modelDir, Path save,
      Console console) {
    List<String> wanted = line.hasOption("optimizer")
        ? List.of(line.getOptionValue("optimizer")) : List.of();
    TrainableModel model = ModelOptions.open(line, modelDir, wanted, console);
    try {
      LabSpecs.optimizer(line.getOptionValue("optimizer"), model);
      if (save != null) {
        SavedModelSaver.requireSavable(modelDir); // before training, not after
      }
      return model;
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
  }

  int run(CommandLine line, Console console) throws IOException {
    if (line.hasOption("steps")) {
      throw new UsageException("--steps and --epochs exclude each other: give one");
    }
    Path modelDir = Args.modelDir(line, console);
    TrainSettings settings = LabSpecs.settings(line, 1);
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
    try (TrainableModel model = openForTraining(line, modelDir, save, console)) {
      String optimizer = LabSpecs.optimizer(settings.optimizer(), model);
      TrainingData data = TrainingData.load(dataFile, line, model, console);
      BoundsSource bounds = line.hasOption("bounds-from")
          ? BoundsFlow.read(line.getOptionValue("bounds-from"), optimizer) : null;
      if (bounds != null && settings.plateau() != null) {
        throw new UsageException("--plateau sets the rate itself, so it needs a constant"
            + " schedule; --bounds-from trains a cyclical one");
      }
      // With --bounds-from, --schedule names the cyclical policy only (its min and max come from
      // the report): the config is built without it, then given the bounded schedule.
      TrainingConfig config = (bounds != null ? settings.withSchedule(null) : settings)
          .config(optimizer, model.learningRate(optimizer), data.train().rows());
      int epochs = config.epochs();
      int batchSize = config.batchSize();
      long seed = config.seed();
      int stepsPerEpoch = settings.stepsPerEpoch(settings.trainRows(data.train().rows()));
      if (bounds != null) {
        double optimizerRate = Double.isNaN(settings.lr())
            ? model.learningRate(optimizer) : settings.lr();
        config = config.withSchedule(BoundsFlow.schedule("--schedule",
            line.getOptionValue("schedule", BoundsFlow.DEFAULT_SCHEDULE),
            new Schedules.Run((long) epochs * stepsPerEpoch, stepsPerEpoch, optimizerRate),
            bounds));
      }
      Schedule schedule = config.schedule().orElseThrow();
      String validationSource = LabSpecs.validationSource(config, data);
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
        TrainingResult result = trainer.run(model, data.train(), config.validationSplit() > 0 ? null
            : data.test());
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
      case FAILED -> "failed";
      case CANCELLED -> "cancelled";
      case INTERRUPTED -> "interrupted";
    };
    return result.stopDetail().isEmpty() ? text : text + ": " + result.stopDetail();
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
