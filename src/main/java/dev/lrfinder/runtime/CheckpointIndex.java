package dev.lrfinder.runtime;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.lrfinder.model.ModelException;
import dev.lrfinder.model.ModelFiles;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.tensorflow.proto.BundleEntryProto;
import org.tensorflow.proto.BundleHeaderProto;

/**
 * The index of a TensorFlow checkpoint ({@code <prefix>.index} of a "tensor bundle"), read in
 * Java so that a damaged checkpoint is described in words before TensorFlow reads it. TensorFlow
 * Java has no reader for it, and no maintained Java library reads this table format: it is
 * LevelDB's (TensorFlow's {@code core/lib/io/table}): data blocks of prefix-compressed key/value
 * entries, an index block of handles to them and a 48-byte footer ending in a magic number, every
 * block followed by its compression type and a masked CRC-32C. Key "" holds the
 * {@link BundleHeaderProto}, every other key a tensor's {@link BundleEntryProto} (shard, offset,
 * size and checksum of its bytes in {@code <prefix>.data-<shard>-of-<shards>}).
 *
 * @param shardCount how many data files the checkpoint has
 * @param entries every tensor's entry, by name, in key order
 */
public record CheckpointIndex(int shardCount, Map<String, BundleEntryProto> entries) {
  private static final long MAGIC = 0xdb4775248b80fb57L;
  private static final int FOOTER_BYTES = 48;
  private static final int TRAILER_BYTES = 5;
  private static final int MASK_DELTA = 0xa282ead8;

  public CheckpointIndex {
    entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
  }

  /** Where a block lies in the table. */
  private record Handle(long offset, long size) {}

  /** A table that is not a valid checkpoint index, with why in words. */
  private static final class Malformed extends Exception {
    Malformed(String reason) {
      super(reason, null, false, false);
    }
  }

  /**
   * Checks the checkpoint at {@code prefix} (e.g. {@code variables/variables}) as far as its files
   * go: the index parses, and every data file it names exists, can be read and holds every byte
   * the index places in it. (The checksums of the tensors' bytes are left to TensorFlow, which
   * verifies them as it restores.)
   *
   * @throws ModelException naming the file at fault and what is wrong with it
   */
  public static void requireComplete(Path prefix) {
    read(indexFile(prefix)).ifPresent(index -> index.requireShards(prefix));
  }

  /**
   * Reads an index file. Empty when the index is valid but stored compressed, which lrfinder does
   * not decode (TensorFlow writes checkpoints uncompressed); TensorFlow then checks it alone.
   *
   * @throws ModelException when the file is missing, unreadable, truncated or corrupt
   */
  public static Optional<CheckpointIndex> read(Path indexFile) {
    ModelFiles.requireReadableFile(indexFile, "a checkpoint index", false);
    byte[] bytes = ModelFiles.readAll(indexFile);
    try {
      return parse(bytes);
    } catch (Malformed e) {
      throw new ModelException("'" + indexFile + "' is not a valid checkpoint index: "
          + e.getMessage());
    }
  }

  /** {@code <prefix>.index}. */
  public static Path indexFile(Path prefix) {
    return prefix.resolveSibling(prefix.getFileName() + ".index");
  }

  /** {@code <prefix>.data-0000i-of-0000n}. */
  public static Path dataFile(Path prefix, int shard, int shardCount) {
    return prefix.resolveSibling(String.format("%s.data-%05d-of-%05d", prefix.getFileName(),
        shard, shardCount));
  }

  /** Requires every data file to exist, be readable and hold the bytes the index places in it. */
  void requireShards(Path prefix) {
    long[] needed = new long[shardCount];
    for (Map.Entry<String, BundleEntryProto> entry : entries.entrySet()) {
      BundleEntryProto e = entry.getValue();
      if (e.getSlicesCount() > 0) {
        continue; // a partitioned tensor: its bytes are in the entries of its slices
      }
      if (e.getShardId() < 0 || e.getShardId() >= shardCount) {
        throw new ModelException("'" + indexFile(prefix) + "' is not a valid checkpoint index:"
            + " it places tensor '" + entry.getKey() + "' in data file " + e.getShardId()
            + " of " + shardCount);
      }
      needed[e.getShardId()] = Math.max(needed[e.getShardId()], e.getOffset() + e.getSize());
    }
    for (int shard = 0; shard < shardCount; shard++) {
      Path data = dataFile(prefix, shard, shardCount);
      long size = ModelFiles.requireReadableFile(data, "a checkpoint data file", true);
      if (size < needed[shard]) {
        throw new ModelException("'" + data + "' is truncated: it holds " + size
            + " bytes, and its index places tensors up to byte " + needed[shard]);
      }
    }
  }

  static Optional<CheckpointIndex> parse(byte[] table) throws Malformed {
    if (table.length < FOOTER_BYTES) {
      throw new Malformed("it has " + table.length + " bytes, fewer than a footer takes"
          + " (the file is truncated)");
    }
    ByteBuffer little = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN);
    if (little.getLong(table.length - 8) != MAGIC) {
      throw new Malformed("it does not end with the table's magic number (the file is truncated,"
          + " or not a checkpoint index)");
    }
    Cursor footer = new Cursor(table, table.length - FOOTER_BYTES, table.length - 8);
    block(table, footer.handle(), "its metaindex block"); // empty, but checked like the rest
    Optional<byte[]> indexBlock = block(table, footer.handle(), "its index block");
    if (indexBlock.isEmpty()) {
      return Optional.empty();
    }
    Map<String, byte[]> values = new LinkedHashMap<>();
    for (Map.Entry<String, byte[]> handle : entries(indexBlock.get(), "its index block")
        .entrySet()) {
      Cursor at = new Cursor(handle.getValue(), 0, handle.getValue().length);
      Optional<byte[]> data = block(table, at.handle(), "a data block");
      if (data.isEmpty()) {
        return Optional.empty();
      }
      values.putAll(entries(data.get(), "a data block"));
    }
    byte[] headerBytes = values.remove("");
    if (headerBytes == null) {
      throw new Malformed("it has no header entry");
    }
    BundleHeaderProto header;
    Map<String, BundleEntryProto> entries = new LinkedHashMap<>();
    try {
      header = BundleHeaderProto.parseFrom(headerBytes);
    } catch (InvalidProtocolBufferException e) {
      throw new Malformed("its header entry is corrupt");
    }
    for (Map.Entry<String, byte[]> value : values.entrySet()) {
      try {
        entries.put(value.getKey(), BundleEntryProto.parseFrom(value.getValue()));
      } catch (InvalidProtocolBufferException e) {
        throw new Malformed("the entry of tensor '" + value.getKey() + "' is corrupt");
      }
    }
    if (header.getNumShards() < 1 && !entries.isEmpty()) {
      throw new Malformed("its header says it has " + header.getNumShards() + " data files");
    }
    return Optional.of(new CheckpointIndex(header.getNumShards(), entries));
  }

  /** A block's contents after its checksum is verified; empty when it is stored compressed. */
  private static Optional<byte[]> block(byte[] table, Handle handle, String what)
      throws Malformed {
    long offset = handle.offset();
    long size = handle.size();
    long blocksEnd = table.length - FOOTER_BYTES;
    if (offset < 0 || size < 0 || offset > blocksEnd || size > blocksEnd
        || offset + size + TRAILER_BYTES > blocksEnd) {
      throw new Malformed(what + " lies outside the file (the file is truncated or corrupt)");
    }
    int start = (int) offset;
    int end = (int) (offset + size);
    CRC32C crc = new CRC32C();
    crc.update(table, start, (int) size + 1); // the contents and the compression type byte
    int stored = ByteBuffer.wrap(table).order(ByteOrder.LITTLE_ENDIAN).getInt(end + 1);
    int rotated = stored - MASK_DELTA;
    int unmasked = (rotated >>> 17) | (rotated << 15);
    if (unmasked != (int) crc.getValue()) {
      throw new Malformed("the checksum of " + what + " does not match its bytes (the file is"
          + " corrupt)");
    }
    if (table[end] != 0) {
      return Optional.empty();
    }
    return Optional.of(Arrays.copyOfRange(table, start, end));
  }

  /** The key/value entries of one uncompressed block, keys decoded as UTF-8. */
  private static Map<String, byte[]> entries(byte[] block, String what) throws Malformed {
    if (block.length < 4) {
      throw new Malformed(what + " is too short (the file is corrupt)");
    }
    ByteBuffer little = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    long restarts = Integer.toUnsignedLong(little.getInt(block.length - 4));
    long limit = block.length - 4 * (restarts + 1);
    if (limit < 0) {
      throw new Malformed(what + " has a bad restart count (the file is corrupt)");
    }
    Map<String, byte[]> entries = new LinkedHashMap<>();
    Cursor cursor = new Cursor(block, 0, (int) limit);
    byte[] key = new byte[0];
    while (cursor.remaining() > 0) {
      long shared = cursor.varint();
      long unshared = cursor.varint();
      long valueLength = cursor.varint();
      if (shared > key.length || unshared > cursor.remaining()
          || valueLength > cursor.remaining() - unshared) {
        throw new Malformed(what + " has an entry that runs past its end (the file is corrupt)");
      }
      ByteArrayOutputStream next = new ByteArrayOutputStream();
      next.write(key, 0, (int) shared);
      next.write(block, cursor.position, (int) unshared);
      key = next.toByteArray();
      cursor.position += (int) unshared;
      entries.put(new String(key, StandardCharsets.UTF_8),
          Arrays.copyOfRange(block, cursor.position, cursor.position + (int) valueLength));
      cursor.position += (int) valueLength;
    }
    return entries;
  }

  /** Reads varints (LevelDB's encoding) from {@code bytes[position, end)}. */
  private static final class Cursor {
    private final byte[] bytes;
    private final int end;
    private int position;

    Cursor(byte[] bytes, int position, int end) {
      this.bytes = bytes;
      this.position = position;
      this.end = end;
    }

    int remaining() {
      return end - position;
    }

    long varint() throws Malformed {
      long value = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        if (position >= end) {
          throw new Malformed("a length runs past the end of its block (the file is corrupt)");
        }
        byte b = bytes[position++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw new Malformed("a length is not a valid number (the file is corrupt)");
    }

    Handle handle() throws Malformed {
      return new Handle(varint(), varint());
    }
  }
}
