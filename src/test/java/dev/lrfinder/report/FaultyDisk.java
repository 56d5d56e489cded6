package dev.lrfinder.report;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Real files on disk with a fault injected: the disk fills up (the JDK's own IOException text for
 * ENOSPC) after a byte budget shared by the files {@code affected} picks, or the writing thread
 * is interrupted when such a file is written and closed (as a Ctrl-C in the middle of writing
 * the report would do; not earlier, since the JDK's first chart drawing swallows an interrupt).
 */
public final class FaultyDisk implements FileOpener {
  /** What {@code FileOutputStream.write} throws on a full disk (strerror of ENOSPC). */
  public static final String ENOSPC = "No space left on device";

  private final Predicate<Path> affected;
  private final AtomicLong bytesLeft;
  private final boolean interrupt;

  private FaultyDisk(Predicate<Path> affected, long budget, boolean interrupt) {
    this.affected = affected;
    this.bytesLeft = new AtomicLong(budget);
    this.interrupt = interrupt;
  }

  /** Full after {@code bytes} bytes written to files named {@code name}. */
  public static FaultyDisk fullWriting(String name, long bytes) {
    return new FaultyDisk(named(name), bytes, false);
  }

  /** Full after {@code bytes} bytes written in all. */
  public static FaultyDisk fullAfter(long bytes) {
    return new FaultyDisk(file -> true, bytes, false);
  }

  /** Interrupts the thread that writes a file named {@code name}, once it is closed. */
  public static FaultyDisk interruptingAt(String name) {
    return new FaultyDisk(named(name), Long.MAX_VALUE, true);
  }

  private static Predicate<Path> named(String name) {
    return file -> file.getFileName().toString().equals(name);
  }

  @Override
  public OutputStream create(Path file) throws IOException {
    OutputStream real = FileOpener.DISK.create(file);
    if (!affected.test(file)) {
      return real;
    }
    if (interrupt) {
      return new FilterOutputStream(real) {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
          out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
          super.close();
          Thread.currentThread().interrupt();
        }
      };
    }
    return new FilterOutputStream(real) {
      @Override
      public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
      }

      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        long left = bytesLeft.addAndGet(-len);
        if (left < 0) {
          int fits = (int) Math.max(0, len + left);
          out.write(b, off, fits); // what fitted stays, as on a real disk: a half-written file
          bytesLeft.set(0);
          throw new IOException(ENOSPC);
        }
        out.write(b, off, len);
      }
    };
  }
}
