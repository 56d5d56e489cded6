package dev.lrfinder.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes numpy's {@code .npy} format (versions 1 to 3): a magic string, a header that is
 * a Python dict literal ({@code descr}, {@code fortran_order}, {@code shape}), then raw data. See
 * numpy's {@code numpy/lib/format.py}. Only C-order arrays of the {@link DType} types are read.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final java.nio.charset.Charset UTF_32LE =
      java.nio.charset.Charset.forName("UTF-32LE");
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** numpy itself refuses headers over 10,000 bytes by default; leave generous room. */
  private static final int MAX_HEADER_BYTES = 1 << 20;

  private Npy() {}

  /**
   * The header of an array: its element type, its shape and the number of bytes before the data.
   *
   * @param headerBytes bytes of magic string, version, length and header dict together
   * @param descr numpy's element type, e.g. {@code <f4}, {@code <U12} (fixed-width UTF-32 text)
   *     or {@code |S12} (fixed-width bytes)
   */
  public record Header(DType dtype, long[] shape, long headerBytes, String descr) {
    public Header {
      shape = shape.clone();
    }

    public Header(DType dtype, long[] shape, long headerBytes) {
      this(dtype, shape, headerBytes, dtype.npyDescr());
    }

    @Override
    public long[] shape() {
      return shape.clone();
    }

    /** Bytes of one element: the type's, or for text the width times 4 (UTF-32) or 1 (bytes). */
    public long itemBytes() {
      if (!dtype.isString()) {
        return dtype.byteSize();
      }
      long width = Long.parseLong(descr.substring(2));
      return descr.charAt(1) == 'U' ? width * 4 : width;
    }

    /** Bytes of data the header declares (element count times element size). */
    public long dataBytes() {
      return HostArray.elementCount(shape) * itemBytes();
    }

    /** Bytes of the whole .npy file: header and data. */
    public long fileBytes() {
      return headerBytes + dataBytes();
    }
  }

  /** Reads one array; {@code name} only labels error messages. */
  public static HostArray read(InputStream stream, String name) throws IOException {
    return readData(stream, readHeader(stream, name), name);
  }

  /**
   * Reads the header of an array and checks it: a supported type in C order with a shape whose
   * data fits one Java array. Leaves {@code stream} at the first byte of data.
   */
  public static Header readHeader(InputStream stream, String name) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    byte[] magic = new byte[MAGIC.length];
    try {
      in.readFully(magic);
    } catch (EOFException e) {
      throw new DataException(name + " is empty or not a .npy array");
    }
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw new DataException(name + " is not a .npy array (bad magic bytes)");
    }
    int major;
    int lengthSize;
    byte[] headerBytes;
    try {
      major = in.readUnsignedByte();
      in.readUnsignedByte(); // minor version
      if (major < 1 || major > 3) {
        throw new DataException(name + " has .npy format version " + major
            + ", which lrfinder does not know (it reads versions 1 to 3)");
      }
      lengthSize = major == 1 ? 2 : 4;
      byte[] lengthBytes = new byte[lengthSize];
      in.readFully(lengthBytes);
      ByteBuffer lengthBuffer = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
      int headerLength = major == 1 ? Short.toUnsignedInt(lengthBuffer.getShort()) : lengthBuffer.getInt();
      if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
        throw new DataException(name + " has a corrupt .npy header length (" + headerLength + ")");
      }
      headerBytes = new byte[headerLength];
      in.readFully(headerBytes);
    } catch (EOFException e) {
      throw new DataException(name + " is truncated: its .npy header is incomplete");
    }
    String header = new String(headerBytes, major >= 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

    String descr = group(DESCR, header, name, "descr");
    DType dtype = DType.fromNpyDescr(descr).orElseThrow(() -> unsupported(name, descr));
    if (group(FORTRAN, header, name, "fortran_order").equals("True")) {
      throw new DataException(name + " is stored in Fortran order; save it with np.ascontiguousarray");
    }
    long[] shape = parseShape(group(SHAPE, header, name, "shape"), name);
    Header parsed = new Header(dtype, shape, MAGIC.length + 2L + lengthSize + headerBytes.length,
        descr.replace('=', '<'));
    long bytes = declaredBytes(parsed);
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new DataException(name + " declares " + (bytes == Long.MAX_VALUE ? "more than " : "")
          + MemoryBudget.size(bytes) + " of data (shape " + java.util.Arrays.toString(shape)
          + " of " + dtype + "); lrfinder holds at most 2 GiB per array");
    }
    return parsed;
  }

  /** Reads the data {@code header} declares, exactly that many bytes and no more. */
  public static HostArray readData(InputStream stream, Header header, String name)
      throws IOException {
    long size = header.dataBytes();
    byte[] data = new byte[(int) size];
    try {
      new DataInputStream(stream).readFully(data);
    } catch (EOFException e) {
      throw new DataException(name + " is truncated: its header promises " + size + " bytes of data");
    }
    if (header.dtype().isString()) {
      return strings(header, data);
    }
    return HostArray.of(header.dtype(), header.shape(), data);
  }

  /** Fixed-width text or bytes as UTF-8 strings; numpy drops trailing NULs, and so does this. */
  private static HostArray strings(Header header, byte[] data) {
    int item = Math.toIntExact(header.itemBytes());
    boolean utf32 = header.descr().charAt(1) == 'U';
    int count = Math.toIntExact(HostArray.elementCount(header.shape()));
    byte[][] values = new byte[count][];
    for (int i = 0; i < count; i++) {
      int start = i * item;
      int end = start + item;
      if (utf32) {
        while (end - 4 >= start && data[end - 4] == 0 && data[end - 3] == 0 && data[end - 2] == 0
            && data[end - 1] == 0) {
          end -= 4;
        }
        values[i] = new String(data, start, end - start, UTF_32LE)
            .getBytes(StandardCharsets.UTF_8);
      } else {
        while (end > start && data[end - 1] == 0) {
          end--;
        }
        values[i] = java.util.Arrays.copyOfRange(data, start, end);
      }
    }
    return HostArray.ofStrings(header.shape(), values);
  }

  /** Element count times element size, or Long.MAX_VALUE when that overflows. */
  private static long declaredBytes(Header header) {
    try {
      return Math.multiplyExact(HostArray.elementCount(header.shape()), header.itemBytes());
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static DataException unsupported(String name, String descr) {
    String supported = "; lrfinder reads float32, float64, int32, int64, uint8 and bool, and"
        + " text as fixed-width strings ('<U..' or '|S..')";
    if (descr.contains("O")) {
      return new DataException(name + " holds Python objects (numpy dtype '" + descr + "', stored"
          + " with pickle), which lrfinder does not load" + supported
          + ": save a numeric array, e.g. np.asarray(a, dtype=np.float32)");
    }
    if (descr.startsWith(">")) {
      return new DataException(name + " is big-endian (numpy dtype '" + descr + "')"
          + supported + " in little-endian order: save it with a.astype(a.dtype.newbyteorder('<'))");
    }
    return new DataException(name + " has numpy dtype '" + descr + "'" + supported
        + " (little-endian)");
  }

  /** Writes {@code array} in format version 1.0 (what {@code np.save} writes for small headers). */
  public static void write(HostArray array, OutputStream out) throws IOException {
    byte[] text = null;
    String descr = array.dtype().npyDescr();
    if (array.dtype().isString()) {
      int count = Math.toIntExact(array.elementCount());
      int width = 1;
      for (int i = 0; i < count; i++) {
        width = Math.max(width, array.getString(i).codePointCount(0,
            array.getString(i).length()));
      }
      ByteBuffer utf32 = ByteBuffer.allocate(Math.multiplyExact(count, width * 4));
      for (int i = 0; i < count; i++) {
        byte[] encoded = array.getString(i).getBytes(UTF_32LE);
        utf32.position(i * width * 4);
        utf32.put(encoded);
      }
      text = utf32.array();
      descr = "<U" + width;
    }
    StringBuilder shape = new StringBuilder();
    for (long d : array.shape()) {
      shape.append(d).append(", ");
    }
    if (array.rank() > 1) {
      shape.setLength(shape.length() - 1);
    }
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': ("
        + shape.toString().trim() + "), }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";
    out.write(MAGIC);
    out.write(new byte[] {1, 0});
    out.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) header.length()).array());
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    if (text != null) {
      out.write(text);
    } else {
      array.writeTo(out);
    }
  }

  private static String group(Pattern pattern, String header, String name, String key) {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new DataException(name + " has a .npy header without '" + key + "'");
    }
    return m.group(1);
  }

  private static long[] parseShape(String text, String name) {
    List<Long> dims = new ArrayList<>();
    for (String part : text.split(",")) {
      String trimmed = part.trim();
      if (!trimmed.isEmpty()) {
        try {
          long dim = Long.parseLong(trimmed.replace("L", ""));
          if (dim < 0) {
            throw new NumberFormatException("negative");
          }
          dims.add(dim);
        } catch (NumberFormatException e) {
          throw new DataException(name + " has a bad shape (" + text + ") in its .npy header");
        }
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }
}
