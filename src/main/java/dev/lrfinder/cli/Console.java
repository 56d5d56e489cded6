package dev.lrfinder.cli;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Where a command writes and where it finds the bundled files: {@code home} is the project
 * directory (the launcher passes it as {@code -Dlrfinder.home}).
 */
record Console(PrintStream out, PrintStream err, Path home) {

  static final String DEFAULT_MODEL = "savedmodels/mnist_cnn";

  Path defaultModel() {
    return home.resolve(DEFAULT_MODEL);
  }
}
