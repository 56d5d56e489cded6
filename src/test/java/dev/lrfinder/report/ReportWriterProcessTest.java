package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Report faults whose traces would only show when the JVM exits, seen from another process. */
class ReportWriterProcessTest {
  @TempDir Path dir;

  @Test
  void aFullDiskDuringAChartEndsWithOneLineAndNoTraceAtExit() throws Exception {
    Path err = dir.resolve("err");
    Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-Djava.awt.headless=true", "-cp",
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
        FullDiskReport.class.getName(), dir.resolve("report").toString())
        .redirectErrorStream(true).redirectOutput(err.toFile()).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    String output = Files.readString(err, StandardCharsets.UTF_8);
    assertEquals(2, process.exitValue(), output);
    assertEquals("lrfinder: error: no space left on device writing "
        + dir.resolve("report").resolve(Charts.FILE_NAMES.get(0)), output.strip());
    try (Stream<Path> left = Files.list(dir)) {
      assertEquals(1, left.count(), "only the log: no report, no staging");
    }
  }
}
