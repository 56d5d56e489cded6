package dev.lrfinder.lab;

import dev.lrfinder.direct.DirectOptions;
import dev.lrfinder.direct.KerasLoss;
import dev.lrfinder.loader.ModelLoader;
import dev.lrfinder.model.TrainableModel;
import dev.lrfinder.safety.ModelTrust;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A sweep written down so that another JVM can run any of its runs: where the model and the
 * data are and how to open them ({@link Inputs}), and the planned runs ({@link SweepPlan}).
 * Strings and numbers only, {@link Serializable}: a distributed backend ({@link SweepBackend})
 * sends it to its workers, which open the inputs themselves ({@link LoadedSweep}) from paths
 * every worker can see; no model bytes travel with it.
 *
 * @param inputs the model and data, and how to open them
 * @param plan the runs, before they are fitted to the model and data
 */
public record SweepJob(Inputs inputs, SweepPlan plan) implements Serializable {
  private static final long serialVersionUID = 1L;

  public SweepJob {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(plan, "plan");
  }

  /**
   * What a worker opens: the model as the command line opens it and the data file's splits,
   * conformed to the model.
   *
   * @param modelDir the SavedModel directory
   * @param loss the Keras loss of a directly trained model ({@code --loss}), or {@code null} for
   *     its own
   * @param trusted whether the model runs without lrfinder's safety scan ({@code --trust-model});
   *     false scans it first, in every worker
   * @param optimizers the optimizer keys a directly trained model builds; empty: its defaults
   * @param seed the seed of a direct model's random ops (the base settings' seed)
   * @param dataFile the {@code .npz} or {@code .csv} data
   * @param labelColumn the label column of a CSV file
   */
  public record Inputs(String modelDir, String loss, boolean trusted, List<String> optimizers,
      long seed, String dataFile, String labelColumn) implements Serializable {
    private static final long serialVersionUID = 1L;

    public Inputs {
      Objects.requireNonNull(modelDir, "modelDir");
      Objects.requireNonNull(dataFile, "dataFile");
      optimizers = List.copyOf(optimizers);
      labelColumn = labelColumn == null ? "label" : labelColumn;
    }

    /** Opens the model as {@code lrfinder sweep} does: scanned first unless trusted. */
    public TrainableModel openModel() {
      Optional<KerasLoss> parsed = Optional.ofNullable(loss).map(KerasLoss::parse);
      return ModelLoader.load(Path.of(modelDir), new DirectOptions(parsed, optimizers)
          .withTrust(trusted ? ModelTrust.TRUSTED : ModelTrust.SCAN_FIRST).withSeed(seed));
    }
  }
}
