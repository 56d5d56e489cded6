package dev.lrfinder.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * An open {@code .npz} archive (a zip of {@code .npy} files, compressed or not), read one array at
 * a time: headers first, so that the memory a set of arrays needs can be checked before any of
 * them is allocated. Reading never inflates more than an array's header declares, whatever the
 * zip claims.
 */
public final class NpzFile implements AutoCloseable {
  private final Path file;
  private final ZipFile zip;
  private final Map<String, ZipEntry> entries;

  private NpzFile(Path file, ZipFile zip, Map<String, ZipEntry> entries) {
    this.file = file;
    this.zip = zip;
    this.entries = entries;
  }

  /**
   * Opens an {@code .npz} and lists its arrays.
   *
   * @throws DataException when the file is missing, unreadable, not a zip or holds no arrays
   */
  public static NpzFile open(Path file) {
    DataFile.requireReadableFile(file);
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new DataException("data file '" + file + "' is not a valid .npz archive");
    } catch (IOException e) {
      throw DataFile.cannotRead(file, e);
    }
    Map<String, ZipEntry> entries = new LinkedHashMap<>();
    Enumeration<? extends ZipEntry> all = zip.entries();
    while (all.hasMoreElements()) {
      ZipEntry entry = all.nextElement();
      String name = entry.getName();
      if (!entry.isDirectory() && name.endsWith(".npy")) {
        entries.put(name.substring(0, name.length() - 4), entry);
      }
    }
    if (entries.isEmpty()) {
      closeQuietly(zip);
      throw new DataException("data file '" + file + "' holds no arrays");
    }
    return new NpzFile(file, zip, entries);
  }

  /** The array names (entry names without {@code .npy}), in archive order. */
  public List<String> names() {
    return List.copyOf(entries.keySet());
  }

  public boolean has(String name) {
    return entries.containsKey(name);
  }

  /** How messages name array {@code name} of this archive. */
  public ArrayName nameOf(String name) {
    return ArrayName.npz(file, name);
  }

  /**
   * The header of array {@code name}, checked against the size the zip declares for its entry
   * (a smaller entry cannot hold the data its header promises).
   */
  public Npy.Header header(String name) {
    ZipEntry entry = entry(name);
    String what = nameOf(name).whole();
    try (InputStream in = zip.getInputStream(entry)) {
      Npy.Header header = Npy.readHeader(in, what);
      long declared = entry.getSize();
      if (declared >= 0 && declared < header.fileBytes()) {
        throw new DataException(what + " is truncated: its header promises "
            + header.dataBytes() + " bytes of data, the archive holds "
            + Math.max(0, declared - header.headerBytes()));
      }
      return header;
    } catch (ZipException e) {
      throw new DataException(what + " is corrupt: the archive cannot inflate it");
    } catch (IOException e) {
      throw DataFile.cannotRead(file, e);
    }
  }

  /** Reads array {@code name}: the header, then exactly the bytes of data it declares. */
  public HostArray read(String name) {
    ZipEntry entry = entry(name);
    String what = nameOf(name).whole();
    try (InputStream in = zip.getInputStream(entry)) {
      return Npy.readData(in, Npy.readHeader(in, what), what);
    } catch (ZipException e) {
      throw new DataException(what + " is corrupt: the archive cannot inflate it");
    } catch (IOException e) {
      throw DataFile.cannotRead(file, e);
    }
  }

  @Override
  public void close() {
    closeQuietly(zip);
  }

  /**
   * All arrays of an {@code .npz} file by name (without {@code .npy}), or one {@code .npy} as "x",
   * after checking that they fit {@code budget} together.
   */
  public static Map<String, HostArray> read(Path file, MemoryBudget budget) {
    if (file.getFileName().toString().endsWith(".npy")) {
      return Map.of("x", readNpy(file, budget));
    }
    try (NpzFile npz = open(file)) {
      long bytes = 0;
      for (String name : npz.names()) {
        bytes += npz.header(name).dataBytes();
      }
      budget.require(bytes, "loading the arrays of '" + file + "'");
      Map<String, HostArray> arrays = new LinkedHashMap<>();
      for (String name : npz.names()) {
        arrays.put(name, npz.read(name));
      }
      return arrays;
    }
  }

  /** {@link #read(Path, MemoryBudget)} within what this JVM's heap has left. */
  public static Map<String, HostArray> read(Path file) {
    return read(file, MemoryBudget.heap());
  }

  private static HostArray readNpy(Path file, MemoryBudget budget) {
    DataFile.requireReadableFile(file);
    String what = "'" + file + "'";
    try (InputStream in = Files.newInputStream(file)) {
      Npy.Header header = Npy.readHeader(in, what);
      budget.require(header.dataBytes(), "loading " + what);
      return Npy.readData(in, header, what);
    } catch (IOException e) {
      throw DataFile.cannotRead(file, e);
    }
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

  private ZipEntry entry(String name) {
    ZipEntry entry = entries.get(name);
    if (entry == null) {
      throw new DataException("data file '" + file + "' has no array '" + name + "'; it has "
          + String.join(", ", entries.keySet()));
    }
    return entry;
  }

  private static void closeQuietly(ZipFile zip) {
    try {
      zip.close();
    } catch (IOException e) {
      // nothing was written; a failed close loses nothing
    }
  }
}
