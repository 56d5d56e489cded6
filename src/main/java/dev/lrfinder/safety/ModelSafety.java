package dev.lrfinder.safety;

import dev.lrfinder.model.ModelException;
import dev.lrfinder.runtime.SavedModelDirectory;
import java.nio.file.Path;
import org.tensorflow.proto.SavedModel;

/**
 * The check every loader makes before anything of a SavedModel runs: its {@code saved_model.pb}
 * is read as protobuf and every op of its graphs and functions is checked against lrfinder's
 * committed {@link OpPolicy} ({@link OpScan}). Nothing is loaded into TensorFlow.
 */
public final class ModelSafety {
  private static final OpPolicy POLICY = OpPolicy.bundled();

  private ModelSafety() {}

  /**
   * Scans the SavedModel in {@code directory}.
   *
   * @throws ModelException when {@code saved_model.pb} cannot be read or is not a SavedModel
   */
  public static ScanReport scan(Path directory) {
    return scan(SavedModelDirectory.savedModel(directory));
  }

  /** Scans an already parsed {@code saved_model.pb}. */
  public static ScanReport scan(SavedModel model) {
    return new OpScan(POLICY).scan(model);
  }

  /**
   * Refuses to go on with a model that has an op lrfinder does not run, unless {@code trust} is
   * {@link ModelTrust#TRUSTED} (then nothing is read).
   *
   * @throws UnsafeModelException naming the first refused op, its node and function
   * @throws ModelException when {@code saved_model.pb} cannot be read
   */
  public static void requireSafe(Path directory, ModelTrust trust) {
    if (trust == ModelTrust.TRUSTED) {
      return;
    }
    requireSafe(directory, SavedModelDirectory.savedModel(directory), trust);
  }

  /**
   * As {@link #requireSafe(Path, ModelTrust)} for the already parsed {@code saved_model.pb} of
   * {@code directory}, so a loader parses it once.
   */
  public static void requireSafe(Path directory, SavedModel model, ModelTrust trust) {
    if (trust == ModelTrust.TRUSTED) {
      return;
    }
    ScanReport report = scan(model);
    if (!report.safe()) {
      throw new UnsafeModelException(directory, report);
    }
  }
}
