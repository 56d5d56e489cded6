package dev.lrfinder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lrfinder.rangetest.RangeTestConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "From Java" example, compiled and run. Its body is the README's text line for
 * line, except that the report goes to {@code report} (the README writes
 * {@code Path.of("reports/blobs_mlp")}); it needs the four imports the README lists
 * ({@code dev.lrfinder.FinderResult}, {@code dev.lrfinder.LrFinder},
 * {@code dev.lrfinder.rangetest.RangeTestConfig}, {@code java.nio.file.Path}).
 */
class ReadmeExampleTest {

  static void example(Path report) {
    try (LrFinder finder = LrFinder.open(Path.of("savedmodels/blobs_mlp"))) {
      FinderResult result = finder.rangeTest(finder.loadData(Path.of("savedmodels/blobs_mlp.npz")),
          RangeTestConfig.builder().build());
      System.out.println("adam, valley: " + result.suggestion("adam", "valley").learningRate());
      result.notes().forEach(System.out::println);
      result.writeReport(report);
    }
  }

  @Test
  void theReadmeExampleRunsAndSuggests(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("blobs_mlp");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream before = System.out;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      example(report);
    } finally {
      System.setOut(before);
    }
    String printed = out.toString(StandardCharsets.UTF_8);
    String first = printed.lines().findFirst().orElseThrow();
    assertTrue(first.startsWith("adam, valley: "), printed);
    double lr = Double.parseDouble(first.substring("adam, valley: ".length()));
    assertTrue(lr > 1e-7 && lr < 10, printed);
    assertTrue(Files.isRegularFile(report.resolve("index.html")));
    assertTrue(Files.isRegularFile(report.resolve("result.json")));
    // The notes printed are the report's: the same sentences as result.json's warnings.
    List<String> warnings = new ArrayList<>();
    new ObjectMapper().readTree(report.resolve("result.json").toFile()).get("warnings")
        .forEach(w -> warnings.add(w.asText()));
    assertEquals(warnings, printed.lines().skip(1).toList());
  }
}
