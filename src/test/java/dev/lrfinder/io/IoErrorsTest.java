package dev.lrfinder.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class IoErrorsTest {
  @Test
  void theOperatingSystemsReasonWithoutThePathLowerCased() {
    assertEquals("no space left on device", IoErrors.reason(
        new FileSystemException("/r/curves.csv", null, "No space left on device")));
  }

  @Test
  void theInnermostIoErrorSpeaks() {
    IOException cause = new AccessDeniedException("/etc/x");
    assertEquals("permission denied",
        IoErrors.reason(new UncheckedIOException(new IOException("wrapper", cause))));
    assertEquals("no such file or directory", IoErrors.reason(new NoSuchFileException("/x")));
  }

  @Test
  void aMessagelessErrorIsAnInputOutputErrorAndOnlyTheFirstLineIsKept() {
    assertEquals("input/output error", IoErrors.reason(new EOFException()));
    assertEquals("bad block", IoErrors.reason(new IOException("Bad block\nat sector 7")));
  }
}
