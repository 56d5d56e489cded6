package dev.lrfinder.cli;

import dev.lrfinder.lab.SweepPlan;
import dev.lrfinder.lab.TrainSettings;
import dev.lrfinder.report.SweepReportWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lrfinder sweep --vary PARAM=V1,V2,...}: one run of {@code train --epochs} per value,
 * every run from the same start state on the same batches, and one report comparing them
 * (docs/sweeps.md). Every value is checked before any run trains.
 */
final class SweepCommand implements Command {
  /** Epochs when {@code --epochs} is not given. */
  static final int DEFAULT_EPOCHS = 10;

  private final SweepReportWriter writer;

  /** A command writing reports with {@code writer}. */
  SweepCommand(SweepReportWriter writer) {
    this.writer = writer;
  }

  @Override
  public String name() {
    return "sweep";
  }

  @Override
  public String arguments() {
    return "[model-dir] --vary PARAM=V1,V2,...";
  }

  @Override
  public String description() {
    return "train once per value of a hyper-parameter, every run from the same start on the"
        + " same batches, and compare the learning curves in one report";
  }

  @Override
  public Options options() {
    return LabSpecs.addTrainOptions(ModelOptions.addOptions(TrainingData.addOptions(
        new Options())), "")
        .addOption(LabSpecs.valued("vary", "PARAM=V1,V2,...", "what the runs vary: "
            + String.join(", ", SweepPlan.PARAMETERS) + " (schedule specs separated by ';');"
            + " e.g. lr=0.1,0.01 or momentum=0,0.9 (the model's optimizers of the --optimizer's"
            + " class with that momentum)"))
        .addOption(LabSpecs.valued("epochs", "N", "epochs of every run (default: "
            + DEFAULT_EPOCHS + ")"))
        .addOption(LabSpecs.valued("out", "DIR", "report directory (must not exist or be empty,"
            + " and not be inside the model directory; default: reports/<model>-sweep-"
            + "<timestamp>)"))
        .addOption(SweepSession.sparkOption())
        .addOption(Option.builder().longOpt("json").desc("print the report's sweep.json on"
            + " stdout (progress goes to stderr)").build());
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    if (!line.hasOption("vary")) {
      throw new UsageException("sweep needs --vary PARAM=V1,V2,... with PARAM one of "
          + String.join(", ", SweepPlan.PARAMETERS));
    }
    SweepPlan.Values values = SweepPlan.parseVary(line.getOptionValue("vary"));
    Path modelDir = Args.modelDir(line, console);
    TrainSettings base = LabSpecs.settings(line, DEFAULT_EPOCHS);
    OutputPaths outputs = OutputPaths.check(line, modelDir, console.home().resolve("reports"));
    Path dataFile = TrainingData.fileOf(line, modelDir);
    String command = "lrfinder sweep " + String.join(" ", line.getArgList()) + " "
        + Args.optionsText(line);
    return new SweepSession(modelDir, dataFile, base, optimizerKeys(base, values),
        (optimizer, optimizers) -> SweepPlan.vary(values, base, optimizer, optimizers), null,
        null, outputs, command.replace("  ", " ")).run(line, console, writer);
  }

  /** The keys a direct model must build: the base optimizer's and those varied; empty: its own. */
  static List<String> optimizerKeys(TrainSettings base, SweepPlan.Values values) {
    LinkedHashSet<String> keys = new LinkedHashSet<>();
    if (values != null && values.parameter().equals("optimizer")) {
      if (base.optimizer() != null) {
        keys.add(base.optimizer());
      }
      keys.addAll(values.values());
    } else if (values != null && values.parameter().equals("momentum")) {
      // A direct model builds Keras's defaults of these keys: momentum 0 and 0.9 (nesterov too).
      if (base.optimizer() != null) {
        keys.add(base.optimizer());
      }
      keys.addAll(List.of("sgd", "sgd_momentum", "sgd_nesterov"));
    } else if (base.optimizer() != null) {
      keys.add(base.optimizer());
    }
    return new ArrayList<>(keys);
  }
}
