package dev.lrfinder.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StderrFilterTest {
  private static final String ABSL_WARNING = "WARNING: All log messages before"
      + " absl::InitializeLog() is called are written to STDERR\n";
  private static final String MLIR = "I0000 00:00:1796114537.271247   26456"
      + " mlir_graph_optimization_pass.cc:401] MLIR V1 optimization pass is not enabled\n";
  private static final String TF_WARNING = "W0000 00:00:1796114537.271247   26456"
      + " cpu_feature_guard.cc:210] something worth knowing\n";

  private static String filter(String input, int chunk) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StderrFilter filter = new StderrFilter(out);
    byte[] bytes = input.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += chunk) {
      filter.write(bytes, i, Math.min(chunk, bytes.length - i));
    }
    filter.copy(new ByteArrayInputStream(new byte[0]));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void dropsTensorFlowsTwoLinesAndKeepsEverythingElseInAnyChunking() throws IOException {
    String progress = "adam           [###...] 3/60  lr 1.0e-07  loss 2.3\radam  [####..] 4/60\n";
    String rest = TF_WARNING + "lrfinder: interrupted; the model was restored, no report written\n"
        + "Wörter, I0000 not at the start\n" + "I000 too short a head\n" + "last line, no newline";
    for (int chunk : new int[] {1, 2, 7, 64, 100_000}) {
      assertEquals(progress + rest, filter(ABSL_WARNING + progress + MLIR + rest, chunk),
          "chunk " + chunk);
      assertEquals(TF_WARNING + TF_WARNING, filter(TF_WARNING + MLIR + TF_WARNING, chunk),
          "chunk " + chunk);
    }
  }

  @Test
  void aPartialLineGoesOnAtOnceUnlessItStartsLikeAnAbslLine() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StderrFilter filter = new StderrFilter(out);
    byte[] bar = "\radam  [##....] 12/60".getBytes(StandardCharsets.UTF_8);
    filter.write(bar, 0, bar.length);
    assertEquals("\radam  [##....] 12/60", out.toString(StandardCharsets.UTF_8),
        "a progress bar without newline shows at once");

    byte[] rest = ("\n" + MLIR.substring(0, 40)).getBytes(StandardCharsets.UTF_8);
    filter.write(rest, 0, rest.length);
    assertEquals("\radam  [##....] 12/60\n", out.toString(StandardCharsets.UTF_8),
        "the start of an absl line waits for its newline");
  }
}
