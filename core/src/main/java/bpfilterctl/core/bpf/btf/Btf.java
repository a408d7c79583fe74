package bpfilterctl.core.bpf.btf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Just enough of a BTF blob (/sys/kernel/btf/vmlinux) to find a FUNC's type id by name (a kfunc's
 * id for BPF_PSEUDO_KFUNC_CALL) and a struct member's offset by name, through anonymous struct and
 * union members, with bitfields reported as such.
 */
public final class Btf {
  public static final Path VMLINUX = Path.of("/sys/kernel/btf/vmlinux");

  private static final int MAGIC = 0xeb9f;
  private static final int KIND_INT = 1;
  private static final int KIND_ARRAY = 3;
  private static final int KIND_STRUCT = 4;
  private static final int KIND_UNION = 5;
  private static final int KIND_ENUM = 6;
  private static final int KIND_FUNC = 12;
  private static final int KIND_FUNC_PROTO = 13;
  private static final int KIND_VAR = 14;
  private static final int KIND_DATASEC = 15;
  private static final int KIND_DECL_TAG = 17;
  private static final int KIND_ENUM64 = 19;

  private final ByteBuffer b;
  private final int strOff;
  private final int[] typeAt; // index = type id, value = byte offset of its btf_type
  private final Map<String, Integer> funcs = new HashMap<>();
  private final Map<String, Integer> structs = new HashMap<>();

  private Btf(ByteBuffer b, int strOff, int[] typeAt) {
    this.b = b;
    this.strOff = strOff;
    this.typeAt = typeAt;
    for (int id = 1; id < typeAt.length; id++) {
      int kind = kind(id);
      String name = name(id);
      if (kind == KIND_FUNC) {
        funcs.putIfAbsent(name, id);
      } else if (kind == KIND_STRUCT && !name.isEmpty()) {
        structs.putIfAbsent(name, id);
      }
    }
  }

  /** The running kernel's BTF. */
  public static Btf vmlinux() throws IOException {
    return parse(Files.readAllBytes(VMLINUX));
  }

  public static Btf parse(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (Short.toUnsignedInt(b.getShort(0)) != MAGIC) {
      throw new IllegalArgumentException("not BTF (little-endian magic 0xeb9f missing)");
    }
    int hdrLen = b.getInt(4);
    int typeOff = hdrLen + b.getInt(8);
    int typeLen = b.getInt(12);
    int strOff = hdrLen + b.getInt(16);
    int[] at = new int[16];
    int n = 1;
    int p = typeOff;
    while (p < typeOff + typeLen) {
      if (n == at.length) {
        at = java.util.Arrays.copyOf(at, n * 2);
      }
      at[n++] = p;
      int info = b.getInt(p + 4);
      int vlen = info & 0xffff;
      int kind = (info >>> 24) & 0x1f;
      p += 12 + extra(kind, vlen);
    }
    return new Btf(b, strOff, java.util.Arrays.copyOf(at, n));
  }

  /** Bytes that follow a btf_type of this kind. */
  private static int extra(int kind, int vlen) {
    return switch (kind) {
      case KIND_INT, KIND_VAR, KIND_DECL_TAG -> 4;
      case KIND_ARRAY -> 12;
      case KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64 -> 12 * vlen;
      case KIND_ENUM, KIND_FUNC_PROTO -> 8 * vlen;
      default -> 0;
    };
  }

  private int info(int id) {
    return b.getInt(typeAt[id] + 4);
  }

  private int kind(int id) {
    return (info(id) >>> 24) & 0x1f;
  }

  private String name(int id) {
    return string(b.getInt(typeAt[id]));
  }

  private String string(int off) {
    int start = strOff + off;
    int end = start;
    while (b.get(end) != 0) {
      end++;
    }
    byte[] s = new byte[end - start];
    b.get(start, s);
    return new String(s, StandardCharsets.US_ASCII);
  }

  /** The type id of the FUNC named {@code name} (a kfunc's id for a kfunc call). */
  public Optional<Integer> funcId(String name) {
    return Optional.ofNullable(funcs.get(name));
  }

  /** The type id of the named struct (what bpf_rdonly_cast takes to type a pointer). */
  public Optional<Integer> structId(String name) {
    return Optional.ofNullable(structs.get(name));
  }

  /** Where a member of a struct lies. {@code bitSize} is 0 unless it is a bitfield. */
  public record Member(int bitOffset, int bitSize) {
    public int byteOffset() {
      if (bitOffset % 8 != 0) {
        throw new IllegalStateException("member is not byte aligned: bit " + bitOffset);
      }
      return bitOffset / 8;
    }
  }

  /** A member of {@code struct name}, looking into anonymous struct and union members. */
  public Optional<Member> member(String struct, String member) {
    Integer id = structs.get(struct);
    return id == null ? Optional.empty() : find(id, member, 0);
  }

  private Optional<Member> find(int id, String member, int base) {
    int kind = kind(id);
    if (kind != KIND_STRUCT && kind != KIND_UNION) {
      return Optional.empty();
    }
    boolean kindFlag = (info(id) >>> 31) != 0;
    int vlen = info(id) & 0xffff;
    for (int i = 0; i < vlen; i++) {
      int m = typeAt[id] + 12 + 12 * i;
      String name = string(b.getInt(m));
      int type = b.getInt(m + 4);
      int off = b.getInt(m + 8);
      int bitOffset = kindFlag ? off & 0xffffff : off;
      int bitSize = kindFlag ? off >>> 24 : 0;
      if (name.equals(member)) {
        return Optional.of(new Member(base + bitOffset, bitSize));
      }
      if (name.isEmpty()) {
        Optional<Member> inner = find(resolve(type), member, base + bitOffset);
        if (inner.isPresent()) {
          return inner;
        }
      }
    }
    return Optional.empty();
  }

  /** Skips typedefs and qualifiers (kinds whose btf_type.type names the next type). */
  private int resolve(int id) {
    int t = id;
    while (true) {
      int kind = kind(t);
      if (kind == 8 || kind == 9 || kind == 10 || kind == 11 || kind == 18) {
        t = b.getInt(typeAt[t] + 8);
      } else {
        return t;
      }
    }
  }
}
