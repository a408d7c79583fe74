package bpfilterctl.core.bpf;

import bpfilterctl.core.bpf.sys.Bpf;
import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.BpfFs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A bpffs of the test's own in a temporary directory, for pins that must outlive an Enforcer (an
 * adopting process finds them there); unmounted and removed on close, whatever the test did.
 */
final class TempBpfFs implements AutoCloseable {
  private final Path path;
  private boolean mounted;

  private TempBpfFs(Path path) {
    this.path = path;
  }

  static TempBpfFs create() throws IOException {
    return new TempBpfFs(Files.createTempDirectory("bpffs"));
  }

  Path path() {
    return path;
  }

  /** Mounts bpffs there (as the umh would); true when it is mounted. */
  boolean mount(Bpf bpf) throws BpfException, IOException {
    BpfFs.ensureMounted(bpf, path);
    mounted = BpfFs.isMounted(path);
    return mounted;
  }

  @Override
  public void close() throws IOException {
    try {
      if (mounted) {
        TestNetns.run(List.of("umount", path.toString()), "");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted unmounting " + path, e);
    } finally {
      Files.deleteIfExists(path);
    }
  }
}
