package bpfilterctl.core.bpf.btf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A small BTF blob for BPF_BTF_LOAD (include/uapi/linux/btf.h): types numbered from 1 in the order
 * they are added, names in a string section that starts with the empty name, the header first. Only
 * what our maps and programs declare: integers, structs with their members, function prototypes
 * without parameters and functions.
 */
public final class BtfWriter {
  private static final int MAGIC = 0xeb9f;
  private static final int HEADER_LEN = 24;

  private static final int KIND_INT = 1;
  private static final int KIND_STRUCT = 4;
  private static final int KIND_FUNC = 12;
  private static final int KIND_FUNC_PROTO = 13;

  /** BTF_INT_SIGNED, in the int encoding's top byte. */
  private static final int INT_SIGNED = 1;

  private final ByteArrayOutputStream strings = new ByteArrayOutputStream();
  private final ByteArrayOutputStream types = new ByteArrayOutputStream();

  public BtfWriter() {
    strings.write(0);
  }

  /** An integer of {@code bytes} bytes, all its bits used. */
  public BtfWriter integer(String name, int bytes, boolean signed) {
    type(name, KIND_INT << 24, bytes);
    return word((signed ? INT_SIGNED << 24 : 0) | bytes * 8);
  }

  /** A struct of {@code size} bytes; its {@code members} members must follow. */
  public BtfWriter struct(String name, int members, int size) {
    return type(name, KIND_STRUCT << 24 | members, size);
  }

  /** A member of the struct before it: of type {@code type}, at {@code byteOffset}. */
  public BtfWriter member(String name, int type, int byteOffset) {
    return word(name(name)).word(type).word(byteOffset * 8);
  }

  /** A function prototype without parameters returning {@code returnType}. */
  public BtfWriter funcProto(int returnType) {
    return type("", KIND_FUNC_PROTO << 24, returnType);
  }

  /** A function of prototype {@code protoType}. */
  public BtfWriter func(String name, int protoType) {
    return type(name, KIND_FUNC << 24, protoType);
  }

  /** The blob: header, type section, string section. */
  public byte[] bytes() {
    byte[] t = types.toByteArray();
    byte[] s = strings.toByteArray();
    ByteBuffer b =
        ByteBuffer.allocate(HEADER_LEN + t.length + s.length).order(ByteOrder.nativeOrder());
    b.putShort((short) MAGIC).put((byte) 1).put((byte) 0).putInt(HEADER_LEN);
    b.putInt(0).putInt(t.length).putInt(t.length).putInt(s.length);
    return b.put(t).put(s).array();
  }

  private BtfWriter type(String name, int info, int sizeOrType) {
    return word(name(name)).word(info).word(sizeOrType);
  }

  private BtfWriter word(int v) {
    byte[] w = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array();
    types.writeBytes(w);
    return this;
  }

  /** The name's offset in the string section; the empty name is the section's first byte. */
  private int name(String s) {
    if (s.isEmpty()) {
      return 0;
    }
    int off = strings.size();
    strings.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
    strings.write(0);
    return off;
  }
}
