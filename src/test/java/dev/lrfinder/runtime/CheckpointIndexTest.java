package dev.lrfinder.runtime;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.TestPaths;
import dev.lrfinder.model.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.DataType;

class CheckpointIndexTest {
  private static final Path KERAS2_BLOBS = TestPaths.model("keras2/blobs_mlp")
      .resolve(SavedModelDirectory.VARIABLES_PREFIX);

  @Test
  void readsTheTensorsOfATfKerasCheckpoint() throws IOException {
    CheckpointIndex index = CheckpointIndex.read(CheckpointIndex.indexFile(KERAS2_BLOBS))
        .orElseThrow();
    assertEquals(1, index.shardCount());
    BundleEntryProto kernel = index.entries()
        .get("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE");
    assertEquals(DataType.DT_FLOAT, kernel.getDtype());
    assertEquals(List.of(2L, 50L), kernel.getShape().getDimList().stream()
        .map(d -> d.getSize()).toList());
    assertEquals(2 * 50 * 4, kernel.getSize());
    // The tensors tile the data file: the index accounts for every byte of it.
    long end = index.entries().values().stream().mapToLong(e -> e.getOffset() + e.getSize())
        .max().orElseThrow();
    assertEquals(Files.size(CheckpointIndex.dataFile(KERAS2_BLOBS, 0, 1)), end);
  }

  @Test
  void everyBundledCheckpointIsComplete() {
    for (Path model : List.of(TestPaths.model("blobs_mlp"), TestPaths.model("mnist_cnn"),
        TestPaths.model("keras2/blobs_mlp"), TestPaths.model("keras2/mnist_cnn"),
        TestPaths.fixture("keras2/cnn_bn"), TestPaths.fixture("inference_only"))) {
      assertDoesNotThrow(() -> SavedModelDirectory.require(model), model.toString());
    }
  }

  @Test
  void everyTruncationOfAnIndexIsRefusedInWords() throws IOException {
    byte[] index = Files.readAllBytes(CheckpointIndex.indexFile(KERAS2_BLOBS));
    for (int length = 0; length < index.length; length++) {
      byte[] cut = java.util.Arrays.copyOf(index, length);
      Exception refused = assertThrows(Exception.class, () -> CheckpointIndex.parse(cut),
          "length " + length);
      assertEquals("Malformed", refused.getClass().getSimpleName(), refused.toString());
      String reason = refused.getMessage();
      assertTrue(reason.contains("truncated") || reason.contains("corrupt"), reason);
    }
  }

  @Test
  void aFlippedByteAnywhereIsRefusedOrHarmless() throws Exception {
    byte[] index = Files.readAllBytes(CheckpointIndex.indexFile(KERAS2_BLOBS));
    int refused = 0;
    for (int at = 0; at < index.length; at++) {
      byte[] flipped = index.clone();
      flipped[at] ^= (byte) 0x5a;
      try {
        Optional<CheckpointIndex> parsed = CheckpointIndex.parse(flipped);
        // Only bytes no checksum covers (the footer's padding) may change without notice.
        assertTrue(at >= index.length - 48, "flip at " + at + " passed: " + parsed);
      } catch (Exception e) {
        assertEquals("Malformed", e.getClass().getSimpleName(), "flip at " + at + ": " + e);
        refused++;
      }
    }
    assertTrue(refused > index.length - 48, refused + " of " + index.length);
  }

  @Test
  void aShortDataFileIsNamedWithItsSizes(@TempDir Path dir) throws IOException {
    Path prefix = dir.resolve("variables");
    Files.copy(CheckpointIndex.indexFile(KERAS2_BLOBS), CheckpointIndex.indexFile(prefix));
    Path data = CheckpointIndex.dataFile(prefix, 0, 1);
    Files.write(data, java.util.Arrays.copyOf(
        Files.readAllBytes(CheckpointIndex.dataFile(KERAS2_BLOBS, 0, 1)), 1000));
    String message = assertThrows(ModelException.class,
        () -> CheckpointIndex.requireComplete(prefix)).getMessage();
    assertEquals("'" + data + "' is truncated: it holds 1000 bytes, and its index places tensors"
        + " up to byte 4382", message);
    Files.delete(data);
    message = assertThrows(ModelException.class, () -> CheckpointIndex.requireComplete(prefix))
        .getMessage();
    assertEquals("'" + data + "' is missing; it should be a checkpoint data file", message);
  }
}
