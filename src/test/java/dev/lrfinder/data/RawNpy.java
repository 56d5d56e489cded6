package dev.lrfinder.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Builds .npy and .npz bytes by hand, for edge cases that {@link Npy#write} never produces. */
public final class RawNpy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  private RawNpy() {}

  /** A version 1.0 file with the header dict {@code dict}, padded as numpy pads it, then {@code data}. */
  public static byte[] v1(String dict, byte[] data) {
    return withVersion(1, dict, data);
  }

  /** A file of format version {@code major}.0 (2 and 3 use a 4-byte header length). */
  public static byte[] withVersion(int major, String dict, byte[] data) {
    int lengthBytes = major == 1 ? 2 : 4;
    int unpadded = MAGIC.length + 2 + lengthBytes + dict.length() + 1;
    String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
    byte[] headerBytes = header.getBytes(major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(MAGIC);
    out.write(major);
    out.write(0);
    ByteBuffer length = ByteBuffer.allocate(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
    if (major == 1) {
      length.putShort((short) headerBytes.length);
    } else {
      length.putInt(headerBytes.length);
    }
    out.writeBytes(length.array());
    out.writeBytes(headerBytes);
    out.writeBytes(data);
    return out.toByteArray();
  }

  /** The bytes {@link Npy#write} produces for {@code array}. */
  public static byte[] of(HostArray array) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      Npy.write(array, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static byte[] littleEndianFloats(float... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return buffer.array();
  }

  public static byte[] littleEndianLongs(long... values) {
    ByteBuffer buffer = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asLongBuffer().put(values);
    return buffer.array();
  }

  /** Writes {@code names and arrays}, alternating, with {@link NpzFile#write} to {@code file}. */
  public static Path npz(Path file, Object... namesAndArrays) throws IOException {
    Map<String, HostArray> arrays = new java.util.LinkedHashMap<>();
    for (int i = 0; i < namesAndArrays.length; i += 2) {
      arrays.put((String) namesAndArrays[i], (HostArray) namesAndArrays[i + 1]);
    }
    NpzFile.write(file, arrays);
    return file;
  }

  /** Writes a zip whose entries (name to content) are stored uncompressed, like {@code np.savez}. */
  public static Path storedZip(Path file, Map<String, byte[]> entries) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        ZipEntry entry = new ZipEntry(e.getKey());
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(e.getValue().length);
        entry.setCompressedSize(e.getValue().length);
        CRC32 crc = new CRC32();
        crc.update(e.getValue());
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /** Writes a zip whose entries are deflated, like {@code np.savez_compressed}. */
  public static Path deflatedZip(Path file, Map<String, byte[]> entries) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        zip.putNextEntry(new ZipEntry(e.getKey()));
        zip.write(e.getValue());
        zip.closeEntry();
      }
    }
    return file;
  }

  /**
   * A deflated zip of {@code name} whose content is {@code prefix} followed by {@code zeros} zero
   * bytes, streamed through the deflater so that nothing of that size is ever allocated: a real
   * zip bomb, honest about its sizes.
   */
  public static Path zerosZip(Path file, String name, byte[] prefix, long zeros) throws IOException {
    try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
      zip.putNextEntry(new ZipEntry(name));
      zip.write(prefix);
      byte[] chunk = new byte[1 << 16];
      for (long left = zeros; left > 0; left -= chunk.length) {
        zip.write(chunk, 0, (int) Math.min(chunk.length, left));
      }
      zip.closeEntry();
    }
    return file;
  }

  /**
   * Writes a deflated zip as {@link #deflatedZip}, then rewrites the uncompressed size that its
   * central directory declares for each entry named in {@code declared}: a zip that lies.
   */
  public static Path lyingZip(Path file, Map<String, byte[]> entries, Map<String, Long> declared)
      throws IOException {
    deflatedZip(file, entries);
    ByteBuffer zip = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 0; at + 46 <= zip.limit(); at++) {
      if (zip.getInt(at) != 0x02014b50) { // central directory file header
        continue;
      }
      int nameLength = Short.toUnsignedInt(zip.getShort(at + 28));
      String name = new String(zip.array(), at + 46, nameLength, StandardCharsets.UTF_8);
      Long size = declared.get(name);
      if (size != null) {
        zip.putInt(at + 24, (int) (long) size); // sizes up to 4 GiB, no ZIP64 needed
      }
    }
    return Files.write(file, zip.array());
  }
}
