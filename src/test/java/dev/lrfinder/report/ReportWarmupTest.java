package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The warm-up uses the report's renderers in memory only: no file appears where it runs. */
class ReportWarmupTest {
  @Test
  void warmsUpWithoutWritingAFile() throws IOException {
    // (only the working directory: the temporary one is shared with other processes)
    Path here = Path.of("").toAbsolutePath();
    List<Path> hereBefore = list(here);
    ReportWarmup.run();
    ReportWarmup.run(); // twice: it keeps nothing between runs
    assertEquals(hereBefore, list(here));
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> !p.getFileName().toString().startsWith("junit")
          && !p.getFileName().toString().startsWith("surefire")).sorted().toList();
    }
  }
}
