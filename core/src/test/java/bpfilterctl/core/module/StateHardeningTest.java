package bpfilterctl.core.module;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import bpfilterctl.core.fixtures.Require;
import bpfilterctl.core.mbox.MboxReply;
import bpfilterctl.core.mbox.MboxRequest;
import bpfilterctl.core.mbox.Sockopt;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17, items 3, 5, 6 and 8: what the host keeps on disk is its own, private, bounded by what
 * was really sent, and damage is never papered over.
 */
@Timeout(120)
class StateHardeningTest {
  @TempDir Path tmp;

  private static HostConfig fake(Path state) {
    return TestImages.quick(TestImages.fakeTables()).stateDir(state).build();
  }

  private static boolean root() {
    return ProcessHandle.current().info().user().orElse("").equals("root");
  }

  private static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(
        Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void savedTablesAreReadableByTheirOwnerOnly() throws Exception {
    Path state = tmp.resolve("state");
    try (ModuleHost host = new ModuleHost(fake(state))) {
      host.load();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 3, 1)).isError())
          .isFalse();
    }
    assertThat(mode(state)).isEqualTo("rwx------");
    assertThat(mode(state.resolve("tables"))).isEqualTo("rwx------");
    assertThat(mode(state.resolve("tables/filter.table"))).isEqualTo("rw-------");
    assertThat(mode(state.resolve("tables/filter.journal"))).isEqualTo("rw-------");
  }

  @Test
  void aPlantedSymlinkAtTheTempFileIsReplacedNotFollowed() throws Exception {
    Path state = tmp.resolve("state");
    Path victim = tmp.resolve("victim");
    Files.writeString(victim, "precious");
    try (ModuleHost host = new ModuleHost(fake(state))) {
      host.load();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 3, 1)).isError())
          .isFalse();
      host.settleState();
      Files.createSymbolicLink(state.resolve("tables/filter.table.tmp"), victim);
      Files.createSymbolicLink(state.resolve("tables/nat.table.tmp"), tmp.resolve("created"));
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 2, 2)).isError())
          .isFalse();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("nat", 2, 2)).isError())
          .isFalse();
      host.settleState();
    }
    assertThat(Files.readString(victim)).isEqualTo("precious");
    assertThat(tmp.resolve("created")).doesNotExist();
    assertThat(Files.isSymbolicLink(state.resolve("tables/filter.table"))).isFalse();
  }

  @Test
  void aPlantedSymlinkAtTheJournalFailsTheCommitUnfollowed() throws Exception {
    Path state = tmp.resolve("state");
    Path victim = tmp.resolve("victim");
    Files.writeString(victim, "precious");
    try (ModuleHost host = new ModuleHost(fake(state))) {
      host.load();
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("nat", 3, 1)).isError())
          .isFalse(); // the tables dir exists, as the daemon made it
      byte[] before = FakeTableCalls.dump(host, "filter");
      Files.createSymbolicLink(state.resolve("tables/filter.journal"), victim);
      assertThat(FakeTableCalls.replace(host, FakeTableCalls.blob("filter", 3, 1)).isError())
          .isTrue();
      assertThat(FakeTableCalls.dump(host, "filter")).as("the umh never saw it").isEqualTo(before);
      assertThat(host.log().lines())
          .anySatisfy(l -> assertThat(l.text()).contains("filter.journal is not a regular file"));
    }
    assertThat(Files.readString(victim)).isEqualTo("precious");
  }

  @Test
  void aStateDirOthersCanWriteOrOwnIsRefused() throws Exception {
    Path state = Files.createDirectory(tmp.resolve("open"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwxrwxrwx"));
    try (ModuleHost host = new ModuleHost(fake(state))) {
      ModuleException e = catchThrowableOfType(ModuleException.class, host::load);
      assertThat(e.getMessage()).contains(state.toString()).contains("writable by group or others");
      assertThat(state.resolve("host.lock")).doesNotExist();
    }
    Require.that(root(), "needs root to give a directory to another uid");
    Path foreign = Files.createDirectory(tmp.resolve("foreign"));
    Files.setAttribute(foreign, "unix:uid", 65534);
    try (ModuleHost host = new ModuleHost(fake(foreign))) {
      ModuleException e = catchThrowableOfType(ModuleException.class, host::load);
      assertThat(e.getMessage()).contains("owned by uid 65534");
    }
  }

  @Test
  void aFifoOrADeviceAtATablePathIsDamageNotAHang() throws Exception {
    Path state = tmp.resolve("state");
    try (ModuleHost host = new ModuleHost(fake(state))) {
      host.load();
    }
    Path tables = Files.createDirectories(state.resolve("tables"));
    Process mk = new ProcessBuilder("mkfifo", tables.resolve("filter.table").toString()).start();
    Require.that(mk.waitFor() == 0, "needs mkfifo");
    Files.createSymbolicLink(tables.resolve("nat.table"), Path.of("/dev/zero"));
    try (ModuleHost host = new ModuleHost(fake(state))) {
      long t0 = System.nanoTime();
      ModuleException e = catchThrowableOfType(ModuleException.class, host::load);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
      assertThat(e.getMessage())
          .contains("filter.table: not a regular file")
          .contains("nat.table: not a regular file");
      host.loadDiscardingDamaged();
      assertThat(host.status().state()).isEqualTo(ModuleState.HEALTHY);
    }
    try (Stream<Path> s = Files.list(tables)) {
      assertThat(s.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.equals("filter.table") || n.equals("nat.table"));
    }
  }

  /** A valid filter table from the real umh, as an ipt_replace, with num_counters filled in. */
  private static byte[] realFilterReplace(ModuleHost host) throws ModuleException {
    byte[] info = new byte[84];
    byte[] name = "filter".getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(name, 0, info, 0, name.length);
    MboxReply ir = host.call(new MboxRequest(0, false, Sockopt.IPT_SO_GET_INFO.cmd(), 0, info));
    ByteBuffer i = ByteBuffer.wrap(ir.payload()).order(ByteOrder.LITTLE_ENDIAN);
    int size = i.getInt(80);
    ByteBuffer ge = ByteBuffer.allocate(40 + size).order(ByteOrder.LITTLE_ENDIAN);
    ge.put(name).putInt(32, size);
    MboxReply er =
        host.call(new MboxRequest(0, false, Sockopt.IPT_SO_GET_ENTRIES.cmd(), 0, ge.array()));
    ByteBuffer r = ByteBuffer.allocate(96 + size).order(ByteOrder.LITTLE_ENDIAN);
    r.put(name);
    r.putInt(32, i.getInt(32)).putInt(36, i.getInt(76)).putInt(40, size);
    for (int h = 0; h < 5; h++) {
      r.putInt(44 + 4 * h, i.getInt(36 + 4 * h)).putInt(64 + 4 * h, i.getInt(56 + 4 * h));
    }
    r.putInt(84, i.getInt(76));
    r.position(96);
    r.put(er.payload(), 40, size);
    return r.array();
  }

  @Test
  void countsThatDoNotFitTheBlobAreRefusedWithoutWritingOrAllocating() throws Exception {
    Path state = tmp.resolve("state");
    HostConfig cfg =
        TestImages.quick(TestImages.real())
            .requestTimeout(Duration.ofSeconds(10))
            .stateDir(state)
            .build();
    try (ModuleHost host = new ModuleHost(cfg)) {
      host.load();
      byte[] good = realFilterReplace(host);
      for (int entries : new int[] {0x07f00000, 0x7fffffff, -1}) {
        byte[] bad = good.clone();
        ByteBuffer.wrap(bad).order(ByteOrder.LITTLE_ENDIAN).putInt(36, entries);
        long t0 = System.nanoTime();
        MboxReply r = host.call(new MboxRequest(0, true, Sockopt.IPT_SO_SET_REPLACE.cmd(), 0, bad));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // What the umh says (the kernel's errno for it), not a hang, a crash or a saved file.
        assertThat(r.describeStatus()).as("num_entries %x", entries).isIn("EINVAL", "ENOMEM");
        assertThat(ms).as("num_entries %x answered in ms", entries).isLessThan(5000);
        try (Stream<Path> s = Files.list(state)) {
          assertThat(s.map(p -> p.getFileName().toString())).doesNotContain("tables");
        }
      }
      assertThat(host.call(new MboxRequest(0, true, Sockopt.IPT_SO_SET_REPLACE.cmd(), 0, good)))
          .as("the true blob still commits")
          .satisfies(r -> assertThat(r.isError()).isFalse());
      host.settleState();
      assertThat(state.resolve("tables/filter.table")).exists();
    }
  }
}
