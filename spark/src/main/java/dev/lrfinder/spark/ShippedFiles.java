package dev.lrfinder.spark;

import dev.lrfinder.lab.SweepJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkFiles;

/**
 * Where an executor finds a job's model and data: at the driver's path when the executor sees it
 * (a shared filesystem), else among the files shipped with the job ({@code spark-submit --files},
 * {@code --archives NAME.zip#NAME}, {@code SparkContext.addFile}) under the same file name: in
 * Spark's files directory ({@link SparkFiles#getRootDirectory()}), then the working directory.
 * A path found nowhere is left as it is, and opening it fails with its own one-line error.
 */
final class ShippedFiles {
  private ShippedFiles() {}

  /** {@code inputs} with the model and data paths this executor sees. */
  static SweepJob.Inputs locate(SweepJob.Inputs inputs) {
    String model = locate(inputs.modelDir());
    String data = locate(inputs.dataFile());
    if (model.equals(inputs.modelDir()) && data.equals(inputs.dataFile())) {
      return inputs;
    }
    return new SweepJob.Inputs(model, inputs.loss(), inputs.trusted(), inputs.optimizers(),
        inputs.seed(), data, inputs.labelColumn());
  }

  private static String locate(String driverPath) {
    Path path = Path.of(driverPath);
    if (Files.exists(path) || path.getFileName() == null) {
      return driverPath;
    }
    String name = path.getFileName().toString();
    List<Path> candidates = new ArrayList<>();
    try {
      candidates.add(Path.of(SparkFiles.getRootDirectory(), name));
    } catch (RuntimeException e) {
      // No SparkEnv (outside a task): only the working directory.
    }
    candidates.add(Path.of(name).toAbsolutePath());
    for (Path candidate : candidates) {
      if (Files.exists(candidate)) {
        return candidate.toString();
      }
    }
    return driverPath;
  }
}
