package dev.lrfinder.safety;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lrfinder.model.ModelException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
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
    Path file = directory.resolve("saved_model.pb");
    SavedModel model;
    try (InputStream in = Files.newInputStream(file)) {
      model = SavedModel.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw new ModelException("cannot read '" + file + "': it is not a SavedModel protocol"
          + " buffer (" + firstLine(e.getMessage()) + ")");
    } catch (NoSuchFileException e) {
      throw new ModelException("cannot read '" + file + "': no such file");
    } catch (AccessDeniedException e) {
      throw new ModelException("cannot read '" + file + "': permission denied");
    } catch (IOException e) {
      throw new ModelException("cannot read '" + file + "': " + firstLine(e.getMessage()));
    }
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
    ScanReport report = scan(directory);
    if (!report.safe()) {
      throw new UnsafeModelException(directory, report);
    }
  }

  private static String firstLine(String message) {
    return message == null || message.isBlank() ? "unreadable"
        : message.lines().findFirst().orElse("").trim();
  }
}
