package dev.lrfinder.cli;

import dev.lrfinder.data.DataFile;
import dev.lrfinder.data.Dataset;
import dev.lrfinder.data.MemoryBudget;
import dev.lrfinder.model.TrainableModel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

/**
 * The data options shared by the training verbs ({@code --data}, {@code --label-column}) and the
 * data they load, converted to the model's input and label types.
 *
 * @param test the held-out split ({@code x_test}/{@code y_test}), or {@code null} when the file has none
 */
record TrainingData(Path file, Dataset train, Dataset test) {

  static Options addOptions(Options options) {
    return options
        .addOption(Option.builder().longOpt("data").hasArg().argName("FILE").desc(
            ".npz (x_train/y_train, optional x_test/y_test; x_<input>/y_<output> for several"
                + " inputs or outputs) or .csv; default: <model-dir>.npz")
            .build())
        .addOption(Option.builder().longOpt("label-column").hasArg().argName("NAME")
            .desc("label column of a CSV file (default: label; several outputs: the columns"
                + " named like them)").build());
  }

  /** The data file of the command line: {@code --data}, or {@code <model-dir>.npz} beside the model. */
  static Path fileOf(CommandLine line, Path modelDir) {
    if (!line.hasOption("data")) {
      Path normalized = modelDir.toAbsolutePath().normalize();
      Path sibling = normalized.resolveSibling(normalized.getFileName() + ".npz");
      if (!Files.exists(sibling)) {
        throw new UsageException("no --data given and no " + sibling.getFileName()
            + " beside the model directory");
      }
      return sibling;
    }
    Path file = Path.of(line.getOptionValue("data"));
    if (!Files.exists(file)) {
      throw new UsageException("data file '" + file + "' does not exist");
    }
    return file;
  }

  /**
   * Loads the training split and, when the file has one, the test split, both checked and
   * converted for {@code model}. A test split that is there but broken is an error, never
   * dropped; only the training split may come from plain {@code x}/{@code y}. What the user
   * should know about the file (CSV columns no input uses) goes to {@code console} as notes.
   */
  static TrainingData load(Path file, CommandLine line, TrainableModel model, Console console) {
    String labelColumn = line.getOptionValue("label-column", "label");
    DataFile.Splits splits = DataFile.load(file, model.layout(), labelColumn, MemoryBudget.heap());
    splits.notes().forEach(note -> console.err().println("lrfinder: note: " + note));
    Dataset train = model.conform(splits.train());
    Dataset test = splits.test().map(model::conform).orElse(null);
    return new TrainingData(file, train, test);
  }
}
