package bpfilterctl.core.bpf;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * net.netfilter.nf_log_all_netns on for a kernel-side LOG run, then back to what it was. The
 * setting is the machine's: test JVMs running at once (surefire's forks, other builds) take turns
 * under a file lock, or one would put it back to 0 while another's LOG lines are still due.
 */
final class LogAllNetns implements AutoCloseable {
  static final Path SETTING = Path.of("/proc/sys/net/netfilter/nf_log_all_netns");
  private static final Path LOCK = Path.of("/run/bpfilterctl-test-nf_log_all_netns.lock");

  private final FileChannel channel;
  private final FileLock lock;
  private final String before;

  private LogAllNetns(FileChannel channel, FileLock lock, String before) {
    this.channel = channel;
    this.lock = lock;
    this.before = before;
  }

  /** Waits for the other holders, then turns the setting on. */
  static LogAllNetns on() throws IOException {
    FileChannel ch = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    try {
      FileLock l = ch.lock();
      String before = Files.readString(SETTING).trim();
      Files.writeString(SETTING, "1");
      return new LogAllNetns(ch, l, before);
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      Files.writeString(SETTING, before);
    } finally {
      lock.release();
      channel.close();
    }
  }
}
