package dev.lrfinder;

import java.nio.file.Path;

/** Locations of the bundled models and data, for tests. */
public final class TestPaths {
  private TestPaths() {}

  public static Path root() {
    return Path.of(System.getProperty("lrfinder.projectRoot", ".")).toAbsolutePath().normalize();
  }

  public static Path model(String name) {
    return root().resolve("savedmodels").resolve(name);
  }

  public static Path data(String name) {
    return root().resolve("savedmodels").resolve(name + ".npz");
  }

  public static Path fixture(String name) {
    return root().resolve("src/test/resources/fixtures").resolve(name);
  }
}
