package dev.lrfinder.report;

import java.nio.file.Path;

/**
 * Writes a report to a disk that fills up during the first chart and prints the error, in a JVM
 * of its own ({@link ReportWriterProcessTest}): what the JVM prints on its way out shows there.
 */
final class FullDiskReport {
  private FullDiskReport() {}

  public static void main(String[] args) throws Exception {
    ReportWriter full = new ReportWriter(FaultyDisk.fullWriting(Charts.FILE_NAMES.get(0), 1000));
    try {
      full.write(Fixtures.threeOptimizers(), null, Path.of(args[0]));
    } catch (OutputException e) {
      System.err.println("lrfinder: error: " + e.getMessage());
      System.exit(2);
    }
  }
}
