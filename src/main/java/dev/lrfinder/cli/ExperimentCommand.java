package dev.lrfinder.cli;

import dev.lrfinder.lab.Experiment;
import dev.lrfinder.report.SweepReportInput;
import dev.lrfinder.report.SweepReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * {@code lrfinder experiment FILE}: runs the sweep an experiment file describes
 * ({@link Experiment}, docs/sweeps.md) and writes its report, titled with the file's title,
 * source and claim, under {@code reports/<name>-<timestamp>/}.
 */
final class ExperimentCommand implements Command {
  private final SweepReportWriter writer;

  /** A command writing reports with {@code writer}. */
  ExperimentCommand(SweepReportWriter writer) {
    this.writer = writer;
  }

  @Override
  public String name() {
    return "experiment";
  }

  @Override
  public String arguments() {
    return "experiments/<name>[.json]";
  }

  @Override
  public String description() {
    return "run the sweep an experiment file describes (model, data, training, what varies) and"
        + " write its report";
  }

  @Override
  public Options options() {
    return ModelOptions.addOptions(new Options())
        .addOption(Option.builder().longOpt("label-column").hasArg().argName("NAME")
            .desc("label column of a CSV data file (default: label)").build())
        .addOption(LabSpecs.valued("out", "DIR", "report directory (must not exist or be empty,"
            + " and not be inside the model directory; default: reports/<name>-<timestamp>)"))
        .addOption(SweepSession.sparkOption())
        .addOption(Option.builder().longOpt("json").desc("print the report's sweep.json on"
            + " stdout (progress goes to stderr)").build());
  }

  @Override
  public int run(CommandLine line, Console console) throws Exception {
    if (line.getArgList().size() != 1) {
      throw new UsageException("experiment needs one experiment file, e.g."
          + " experiments/<name>.json; got " + line.getArgList());
    }
    Path file = locate(line.getArgList().get(0), console.home());
    Experiment experiment = Experiment.read(file);
    if (!Files.isDirectory(experiment.modelDir())) {
      throw new UsageException(file + ": model: '" + experiment.modelDir() + "' is not a"
          + " directory");
    }
    Path dataFile = experiment.dataFile();
    if (dataFile == null) {
      Path sibling = experiment.modelDir().resolveSibling(experiment.modelDir().getFileName()
          + ".npz");
      if (!Files.exists(sibling)) {
        throw new UsageException(file + ": no \"data\" given and no " + sibling.getFileName()
            + " beside the model directory");
      }
      dataFile = sibling;
    } else if (!Files.exists(dataFile)) {
      throw new UsageException(file + ": data: '" + dataFile + "' does not exist");
    }
    OutputPaths outputs = OutputPaths.check(line, experiment.modelDir(),
        console.home().resolve("reports"));
    LinkedHashSet<String> keys = new LinkedHashSet<>();
    if (experiment.vary() != null) {
      keys.addAll(SweepCommand.optimizerKeys(experiment.train(), experiment.vary()));
    } else {
      experiment.runs().stream().map(p -> p.settings().optimizer())
          .filter(java.util.Objects::nonNull).forEach(keys::add);
    }
    String command = ("lrfinder experiment " + file + " " + Args.optionsText(line)).strip();
    return new SweepSession(experiment.modelDir(), dataFile, experiment.train(),
        new ArrayList<>(keys), experiment::plan, experiment.name(),
        new SweepReportInput.About(experiment.title(), experiment.source(), experiment.claim(),
            file), outputs, command).run(line, console, writer);
  }

  /**
   * The experiment file {@code text} names: as given, or with {@code .json} added, relative to
   * the working directory or else to the project ({@code home}).
   */
  static Path locate(String text, Path home) {
    Path given;
    try {
      given = Path.of(text);
    } catch (java.nio.file.InvalidPathException e) {
      throw new UsageException("experiment file '" + text + "' is not a valid path: "
          + e.getReason());
    }
    List<Path> candidates = new ArrayList<>(List.of(given));
    if (!text.endsWith(".json")) {
      candidates.add(Path.of(text + ".json"));
    }
    if (!given.isAbsolute()) {
      new ArrayList<>(candidates).forEach(c -> candidates.add(home.resolve(c)));
    }
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new UsageException("experiment file '" + text + "' does not exist"
        + (text.endsWith(".json") ? "" : " (nor " + text + ".json)"));
  }
}
