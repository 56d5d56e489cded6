package dev.lrfinder.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StagedFileTest {
  @TempDir Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static StagedFile.Content text(String text) {
    return out -> out.write(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void theFileAppearsOnlyWhenPublishedAndNoStagingStays() throws IOException {
    Path target = dir.resolve("order.npy");
    try (StagedFile file = StagedFile.create(target, FileOpener.DISK)) {
      assertEquals(1, names().size());
      assertTrue(names().get(0).startsWith(".order.npy.partial-"), names().toString());
      file.write(text("rows"));
      assertFalse(Files.exists(target), "not before publish");
      file.publish();
    }
    assertEquals("rows", Files.readString(target));
    assertEquals(List.of("order.npy"), names());
  }

  @Test
  void anExistingFileOrLinkIsNeverReplaced() throws IOException {
    Path existing = Files.writeString(dir.resolve("result.json"), "an earlier report");
    Path dangling = Files.createSymbolicLink(dir.resolve("link.npy"), dir.resolve("nowhere"));
    for (Path target : List.of(existing, dangling)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> StagedFile.create(target, FileOpener.DISK));
      assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    }
    assertEquals("an earlier report", Files.readString(existing));
    assertEquals(List.of("link.npy", "result.json"), names());
  }

  @Test
  void aFileThatAppearsMeanwhileIsKeptAndTheStagedOneDropped() throws IOException {
    Path target = dir.resolve("order.npy");
    try (StagedFile file = StagedFile.create(target, FileOpener.DISK)) {
      file.write(text("ours"));
      Files.writeString(target, "theirs");
      assertThrows(IllegalArgumentException.class, file::publish);
    }
    assertEquals("theirs", Files.readString(target));
    assertEquals(List.of("order.npy"), names());
  }

  @Test
  void aFullDiskNamesTheFileAndLeavesNothing() {
    Path target = dir.resolve("order.npy");
    try (StagedFile file = StagedFile.create(target, FaultyDisk.fullWriting("order.npy", 10))) {
      OutputException e = assertThrows(OutputException.class, () -> file.write(text("x".repeat(100))));
      assertEquals("no space left on device writing " + target, e.getMessage());
    }
    assertEquals(List.of(), assertDoesNotThrowNames());
  }

  @Test
  void anInterruptedThreadDoesNotPublish() throws IOException {
    Path target = dir.resolve("order.npy");
    try (StagedFile file = StagedFile.create(target, FileOpener.DISK)) {
      file.write(text("rows"));
      Thread.currentThread().interrupt();
      try {
        assertThrows(InterruptedIOException.class, file::publish);
      } finally {
        Thread.interrupted();
      }
    }
    assertEquals(List.of(), names());
  }

  @Test
  void aRetractedFileIsGone() throws IOException {
    Path target = dir.resolve("order.npy");
    try (StagedFile file = StagedFile.create(target, FileOpener.DISK)) {
      file.write(text("rows"));
      file.publish();
      file.retract();
    }
    assertEquals(List.of(), names());
  }

  private List<String> assertDoesNotThrowNames() {
    try {
      return names();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
