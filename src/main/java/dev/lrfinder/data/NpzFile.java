package dev.lrfinder.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/** Reads {@code .npz} archives (a zip of {@code .npy} files, compressed or not) and {@code .npy} files. */
public final class NpzFile {
  private NpzFile() {}

  /** All arrays of an {@code .npz} file by name (without {@code .npy}), or one {@code .npy} as "x". */
  public static Map<String, HostArray> read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new DataException("data file '" + file + "' does not exist");
    }
    try {
      if (Files.size(file) == 0) {
        throw new DataException("data file '" + file + "' is empty");
      }
      if (file.getFileName().toString().endsWith(".npy")) {
        try (InputStream in = Files.newInputStream(file)) {
          return Map.of("x", Npy.read(in, file.toString()));
        }
      }
      return readZip(file);
    } catch (NoSuchFileException e) {
      throw new DataException("data file '" + file + "' does not exist");
    } catch (IOException e) {
      throw new DataException("cannot read '" + file + "': " + e.getMessage(), e);
    }
  }

  private static Map<String, HostArray> readZip(Path file) throws IOException {
    Map<String, HostArray> arrays = new LinkedHashMap<>();
    try (ZipFile zip = new ZipFile(file.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        String name = entry.getName();
        if (entry.isDirectory() || !name.endsWith(".npy")) {
          continue;
        }
        String key = name.substring(0, name.length() - 4);
        try (InputStream in = zip.getInputStream(entry)) {
          arrays.put(key, Npy.read(in, file + ":" + key));
        }
      }
    } catch (ZipException e) {
      throw new DataException("data file '" + file + "' is not a valid .npz archive");
    }
    if (arrays.isEmpty()) {
      throw new DataException("data file '" + file + "' holds no arrays");
    }
    return arrays;
  }

  /** Writes arrays as an uncompressed {@code .npz} (as {@code np.savez} does). */
  public static void write(Path file, Map<String, HostArray> arrays) throws IOException {
    try (OutputStream out = Files.newOutputStream(file); ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, HostArray> e : arrays.entrySet()) {
        ByteArrayOutputStream npy = new ByteArrayOutputStream();
        Npy.write(e.getValue(), npy);
        CRC32 crc = new CRC32();
        crc.update(npy.toByteArray());
        ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(npy.size());
        entry.setCompressedSize(npy.size());
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        npy.writeTo(zip);
        zip.closeEntry();
      }
    }
  }
}
