package dev.lrfinder.cli;

import dev.lrfinder.data.DataException;
import dev.lrfinder.data.Dataset;
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
            ".npz (x_train/y_train, optional x_test/y_test) or .csv; default: <model-dir>.npz")
            .build())
        .addOption(Option.builder().longOpt("label-column").hasArg().argName("NAME")
            .desc("label column of a CSV file (default: label)").build());
  }

  /** The data file of the command line: {@code --data}, or {@code <model-dir>.npz} beside the model. */
  static Path fileOf(CommandLine line, Path modelDir) {
    if (!line.hasOption("data")) {
      Path normalized = modelDir.toAbsolutePath().normalize();
      Path sibling = normalized.resolveSibling(normalized.getFileName() + ".npz");
      if (!Files.isRegularFile(sibling)) {
        throw new UsageException("no --data given and no " + sibling.getFileName()
            + " beside the model directory");
      }
      return sibling;
    }
    Path file = Path.of(line.getOptionValue("data"));
    if (!Files.isRegularFile(file)) {
      throw new UsageException("data file '" + file + "' does not exist");
    }
    return file;
  }

  static TrainingData load(Path file, CommandLine line, TrainableModel model) {
    String labelColumn = line.getOptionValue("label-column", "label");
    Dataset train = model.conform(Dataset.load(file, "train", labelColumn));
    Dataset test = null;
    if (file.getFileName().toString().endsWith(".npz")) {
      try {
        test = model.conform(Dataset.load(file, "test", labelColumn));
      } catch (DataException noTestSplit) {
        test = null;
      }
    }
    return new TrainingData(file, train, test);
  }
}
