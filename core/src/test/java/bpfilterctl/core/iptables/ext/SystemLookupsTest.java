package bpfilterctl.core.iptables.ext;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SystemLookupsTest {
  @TempDir Path dir;

  private Path services;
  private Path protocols;
  private final AtomicInteger reads = new AtomicInteger();

  private SystemLookups lookups() throws Exception {
    services = dir.resolve("services");
    protocols = dir.resolve("protocols");
    Files.writeString(services, "http 80/tcp www\n", StandardCharsets.ISO_8859_1);
    Files.writeString(protocols, "tcp 6 TCP\n", StandardCharsets.ISO_8859_1);
    return new SystemLookups(
        List.of(services, protocols),
        () -> {
          reads.incrementAndGet();
          return new Lookups(services, protocols);
        });
  }

  /** What a fresh read of the files says, and what the cache says: the same. */
  private void sameAsFresh(SystemLookups cached, int port) {
    Lookups fresh = new Lookups(services, protocols);
    Lookups got = cached.current();
    assertThat(got.serviceName(port, "tcp")).isEqualTo(fresh.serviceName(port, "tcp"));
    assertThat(got.protocol("udp")).isEqualTo(fresh.protocol("udp"));
  }

  @Test
  void unchangedFilesAreReadOnceAndAnEditedOneIsReadAgain() throws Exception {
    SystemLookups cached = lookups();
    Lookups first = cached.current();
    assertThat(cached.current()).isSameAs(first);
    assertThat(reads).hasValue(1);
    assertThat(first.serviceName(80, "tcp")).isEqualTo(Optional.of("http"));

    // Appended in place (size and time change).
    Files.writeString(services, "https 443/tcp\n", StandardOpenOption.APPEND);
    sameAsFresh(cached, 443);
    assertThat(cached.current().serviceName(443, "tcp")).isEqualTo(Optional.of("https"));
    assertThat(reads).hasValue(2);

    // Replaced by rename with content of the same size and the same time (sed -i, an editor):
    // the inode tells.
    FileTime was = Files.getLastModifiedTime(protocols);
    Path tmp = dir.resolve("protocols.new");
    Files.writeString(tmp, "udp 17 UDP\n", StandardCharsets.ISO_8859_1);
    Files.setLastModifiedTime(tmp, was);
    Files.move(tmp, protocols, StandardCopyOption.REPLACE_EXISTING);
    assertThat(cached.current().protocol("udp")).isEqualTo(OptionalInt.of(17));
    sameAsFresh(cached, 80);

    // Removed: no names, as a fresh read has none; put back: names again.
    Files.delete(services);
    assertThat(cached.current().serviceName(80, "tcp")).isEmpty();
    Files.writeString(services, "www 8080/tcp\n", StandardCharsets.ISO_8859_1);
    assertThat(cached.current().serviceName(8080, "tcp")).isEqualTo(Optional.of("www"));
    int n = reads.get();
    cached.current();
    assertThat(reads).hasValue(n);
  }
}
