package bpfilterctl.core.module;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the host executes as its umh: the "embedded blob" of bpfilter, here a JVM started from the
 * module's own classpath. Its identity is a sha256 over the command line and every byte of the
 * classpath it runs, computed on first use (a one-shot client that talks to a daemon never needs
 * it).
 */
public final class UmhImage {
  public static final String MAIN_CLASS = "bpfilterctl.core.umh.UmhMain";

  /**
   * JVM flags that favour start-up time (the umh must answer its handshake fast; its heap is mostly
   * table blobs) without giving up C2: a long-lived umh replacing large tables runs hot code, and
   * C1-only cost it about 2x there while saving nothing measurable at load (BENCHMARKS.md).
   */
  public static final List<String> JVM_FLAGS =
      List.of("-Xshare:auto", "-XX:+UseSerialGC", "-XX:-UsePerfData");

  private final List<String> command;
  private final List<Path> classpath;
  private String sha256;

  private UmhImage(List<String> command, List<Path> classpath) {
    this.command = command;
    this.classpath = classpath;
  }

  /** argv, command[0] being the executable. */
  public List<String> command() {
    return command;
  }

  /** Hex digest of what is executed. */
  public synchronized String sha256() {
    if (sha256 == null) {
      sha256 = digest(command, classpath);
    }
    return sha256;
  }

  /**
   * The real umh: the classpath entry that holds this class (core's jar or classes) first, then the
   * rest of this JVM's class path, where the umh finds jnr-ffi and jffi's native stub for bpf()
   * (docs/enforcement.md); core alone answers every sockopt but cannot enforce.
   */
  public static UmhImage embedded(List<String> umhArgs) {
    Path core = codeSourceOf(UmhImage.class);
    List<Path> cp = new ArrayList<>(List.of(core));
    for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (!e.isEmpty() && !Path.of(e).toAbsolutePath().equals(core.toAbsolutePath())) {
        cp.add(Path.of(e));
      }
    }
    return javaMain(cp, MAIN_CLASS, umhArgs);
  }

  /** A JVM running {@code mainClass} from {@code classpath} with {@code args}. */
  public static UmhImage javaMain(List<Path> classpath, String mainClass, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(JVM_FLAGS);
    cmd.add("-cp");
    cmd.add(String.join(":", classpath.stream().map(Path::toString).toList()));
    cmd.add(mainClass);
    cmd.addAll(args);
    return new UmhImage(List.copyOf(cmd), List.copyOf(classpath));
  }

  /** The jar or classes directory a class was loaded from. */
  public static Path codeSourceOf(Class<?> c) {
    try {
      return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the classpath of " + c.getName(), e);
    }
  }

  private static String digest(List<String> cmd, List<Path> classpath) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      for (String a : cmd) {
        md.update(a.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
      }
      for (Path p : classpath) {
        for (Path f : filesUnder(p)) {
          md.update(p.relativize(f).toString().getBytes(StandardCharsets.UTF_8));
          md.update((byte) 0);
          try (InputStream in = Files.newInputStream(f)) {
            byte[] buf = new byte[65536];
            int n;
            while ((n = in.read(buf)) > 0) {
              md.update(buf, 0, n);
            }
          }
        }
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the umh image", e);
    }
  }

  private static List<Path> filesUnder(Path p) throws IOException {
    if (!Files.isDirectory(p)) {
      return Files.exists(p) ? List.of(p) : List.of();
    }
    try (Stream<Path> s = Files.walk(p)) {
      return s.filter(Files::isRegularFile).sorted().toList();
    }
  }
}
