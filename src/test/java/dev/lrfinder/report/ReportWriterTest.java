package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lrfinder.model.ModelContract;
import dev.lrfinder.model.OptimizerInfo;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {
  private static final List<String> FILES = List.of("index.html", "result.json", "curves.csv",
      "loss_vs_lr.png", "loss_delta_vs_lr.png", "lr_vs_step.png");

  @TempDir Path dir;

  private final ReportWriter writer = new ReportWriter();

  private static List<String> names(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static Map<String, byte[]> contents(Path directory) throws IOException {
    Map<String, byte[]> contents = new TreeMap<>();
    for (String name : names(directory)) {
      contents.put(name, Files.readAllBytes(directory.resolve(name)));
    }
    return contents;
  }

  @Test
  void writesEveryFileIntoAModelAndUtcTimeDirectory() throws IOException {
    Path reports = dir.resolve("reports");

    Path written = writer.write(Fixtures.threeOptimizers(), reports, null);

    assertEquals(reports.resolve("mnist_cnn-20250304-050607").toAbsolutePath(), written);
    assertEquals(FILES.stream().sorted().toList(), names(written));
    assertEquals(List.of("mnist_cnn-20250304-050607"), names(reports), "no staging left behind");
  }

  @Test
  void chartsAre1200By800Images() throws IOException {
    Path written = writer.write(Fixtures.threeOptimizers(), dir, null);

    for (String chart : Charts.FILE_NAMES) {
      BufferedImage image = ImageIO.read(written.resolve(chart).toFile());
      assertNotNull(image, chart + " is not a readable image");
      assertEquals(1200, image.getWidth(), chart);
      assertEquals(800, image.getHeight(), chart);
    }
  }

  @Test
  void aSecondWriteGetsANumberedDirectoryAndLeavesTheFirstAlone() throws IOException {
    ReportInput input = Fixtures.threeOptimizers();
    Path first = writer.write(input, dir, null);
    Map<String, byte[]> before = contents(first);

    Path second = writer.write(input, dir, null);
    Path third = writer.write(input, dir, null);

    assertEquals(first.getFileName() + "-2", second.getFileName().toString());
    assertEquals(first.getFileName() + "-3", third.getFileName().toString());
    Map<String, byte[]> after = contents(first);
    assertEquals(before.keySet(), after.keySet());
    before.forEach((name, bytes) -> assertArrayEquals(bytes, after.get(name), name));
    assertEquals(FILES.stream().sorted().toList(), names(second));
  }

  @Test
  void anExplicitDirectoryThatHasFilesIsRefusedAndLeftAsItWas() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    Files.writeString(out.resolve("keep.txt"), "mine");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> writer.write(Fixtures.threeOptimizers(), dir.resolve("reports"), out));

    assertTrue(e.getMessage().contains(out.toString()), e.getMessage());
    assertTrue(e.getMessage().endsWith("."), e.getMessage());
    assertEquals(1, e.getMessage().split("\\. ").length, "one sentence: " + e.getMessage());
    assertEquals(List.of("keep.txt"), names(out));
    assertEquals("mine", Files.readString(out.resolve("keep.txt")));
    assertEquals(List.of("out"), names(dir), "nothing else created");
  }

  @Test
  void anExplicitPathThatIsAFileIsRefused() throws IOException {
    Path file = Files.writeString(dir.resolve("report"), "not a directory");

    assertThrows(IllegalArgumentException.class,
        () -> writer.write(Fixtures.threeOptimizers(), dir, file));

    assertEquals("not a directory", Files.readString(file));
    assertEquals(List.of("report"), names(dir));
  }

  @Test
  void anExplicitEmptyDirectoryReceivesTheReport() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));

    Path written = writer.write(Fixtures.threeOptimizers(), dir.resolve("unused"), out);

    assertEquals(out.toAbsolutePath(), written);
    assertEquals(FILES.stream().sorted().toList(), names(out));
    assertEquals(List.of("out"), names(dir), "reports root untouched, no staging left");
  }

  @Test
  void anExplicitDirectoryIsCreatedWithItsParents() throws IOException {
    Path out = dir.resolve("a/b/report");

    Path written = writer.write(Fixtures.threeOptimizers(), dir, out);

    assertEquals(out.toAbsolutePath(), written);
    assertEquals(FILES.stream().sorted().toList(), names(out));
  }

  @Test
  void modelNamesAreMadeSafeForDirectoryNames() throws IOException {
    ReportInput input = Fixtures.input("../my model/v2", Fixtures.config(),
        Fixtures.threeOptimizers().result().curves());

    Path written = writer.write(input, dir, null);

    assertEquals(dir.toAbsolutePath(), written.getParent());
    assertEquals("_my_model_v2-20250304-050607", written.getFileName().toString());
  }

  @Test
  void aFailureLeavesNoHalfReport() throws IOException {
    ReportInput good = Fixtures.threeOptimizers();
    ModelContract contract = good.contract();
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("unserializable", new Object());
    List<OptimizerInfo> optimizers = new ArrayList<>(contract.optimizers());
    optimizers.add(new OptimizerInfo("odd", "Odd", config, 0.1));
    ModelContract broken = new ModelContract(1, contract.modelName(), contract.source(),
        contract.parameterCount(), contract.trainableParameterCount(), contract.input(),
        contract.label(), contract.loss(), contract.metrics(), optimizers,
        contract.tensorflowVersion(), contract.kerasVersion());
    ReportInput input = new ReportInput(good.modelDir(), good.dataFile(), broken, good.trainingPath(), good.result(),
        good.suggestions(), good.tensorflowVersion(), good.javaVersion(), good.createdAt(),
        good.command());

    assertThrows(RuntimeException.class, () -> writer.write(input, dir, null));
    assertThrows(RuntimeException.class, () -> writer.write(input, dir, dir.resolve("out")));

    assertEquals(List.of(), names(dir));
    assertFalse(Files.exists(dir.resolve("out")));
  }

  @Test
  void aFullDiskNamesTheFileAndLeavesNoHalfReportNorTheParentsItMade() throws IOException {
    Path out = dir.resolve("new/parents/report");
    ReportWriter full = new ReportWriter(FaultyDisk.fullWriting(ResultJson.FILE_NAME, 100));

    OutputException e = assertThrows(OutputException.class,
        () -> full.write(Fixtures.threeOptimizers(), dir, out));

    assertEquals("no space left on device writing "
        + out.toAbsolutePath().resolve(ResultJson.FILE_NAME), e.getMessage());
    assertEquals(List.of(), names(dir), "no staging, no parents left");
  }

  @Test
  void aDiskThatFillsUpInAnyFileLeavesNothingUnderTheReportsRoot() throws IOException {
    Path reports = Files.createDirectory(dir.resolve("reports"));
    Files.writeString(reports.resolve("README.md"), "kept");
    ReportWriter full = new ReportWriter(FaultyDisk.fullAfter(4096));

    OutputException e = assertThrows(OutputException.class,
        () -> full.write(Fixtures.threeOptimizers(), reports, null));

    assertTrue(e.getMessage().startsWith("no space left on device writing "
        + reports.toAbsolutePath().resolve("mnist_cnn-20250304-050607")), e.getMessage());
    assertEquals(List.of("README.md"), names(reports));
  }

  @Test
  void placesThatTakeNoFilesAreFoundWhenPreparingNamingThePathAndTheCause() throws IOException {
    Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
    Path underAFile = file.resolve("report");
    Path tooLong = dir.resolve("r".repeat(300));
    Path proc = Path.of("/proc/self/lrfinder-report");
    for (Path out : List.of(underAFile, tooLong, proc)) {
      OutputException e = assertThrows(OutputException.class,
          () -> writer.prepare("m", Fixtures.CREATED, dir, out).close(), out.toString());
      assertTrue(e.getMessage().startsWith("cannot write the report to '" + out + "': "),
          e.getMessage());
    }
    assertThrows(OutputException.class, () -> writer.prepare("m", Fixtures.CREATED, dir,
        underAFile.resolve("deeper")).close());
    assertEquals("cannot write the report to '" + underAFile + "': '" + file
        + "' is not a directory", assertThrows(OutputException.class,
            () -> writer.prepare("m", Fixtures.CREATED, dir, underAFile)).getMessage());
    assertTrue(assertThrows(OutputException.class,
        () -> writer.prepare("m", Fixtures.CREATED, dir, tooLong)).getMessage()
        .endsWith(": file name too long"));
    assertEquals(List.of("a-file"), names(dir));
    assertEquals("not a directory", Files.readString(file));
  }

  @Test
  void aPreparedReportHoldsItsPlaceInAHiddenDirectoryUntilClosed() throws IOException {
    Path out = dir.resolve("report");
    try (StagedReport report = writer.prepare("m", Fixtures.CREATED, dir, out)) {
      assertEquals(out.toAbsolutePath(), report.target());
      List<String> staged = names(dir);
      assertEquals(1, staged.size());
      assertTrue(staged.get(0).startsWith(".report.partial-"), staged.toString());
    }
    assertEquals(List.of(), names(dir));
  }

  @Test
  void anInterruptionWhileWritingLeavesNothing() {
    ReportWriter interrupting = new ReportWriter(FaultyDisk.interruptingAt(LossChart.FILE_NAME));
    try {
      assertThrows(InterruptedIOException.class,
          () -> interrupting.write(Fixtures.threeOptimizers(), dir, dir.resolve("out")));
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
    assertFalse(Files.exists(dir.resolve("out")));
    assertEquals(List.of(), assertDoesNotThrow(() -> names(dir)), "no staging left");
  }

  @Test
  void filesThatAppearInTheExplicitDirectoryBeforePublishingAreKept() throws IOException {
    Path out = Files.createDirectory(dir.resolve("out"));
    try (StagedReport report = writer.prepare("m", Fixtures.CREATED, dir, out)) {
      report.write(Fixtures.threeOptimizers());
      Files.writeString(out.resolve("theirs.txt"), "theirs");
      assertThrows(IllegalArgumentException.class, report::publish);
    }
    assertEquals(List.of("theirs.txt"), names(out));
    assertEquals(List.of("out"), names(dir));
  }
}
