package bpfilterctl.core.module;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How a module host runs its umh. Defaults follow the design: 5 s handshake, 2 s per request, a
 * watchdog ping every second, restarts backing off from 100 ms to 5 s, 5 starts within 30 s.
 *
 * @param watchdogInterval time between watchdog pings; zero turns the watchdog off
 * @param unloadGrace how long an unloaded umh may take to exit on EOF before SIGKILL
 * @param logCapacity lines kept in the module log
 * @param tapCapacity frames kept in the traffic ring
 * @param tapPayloadLimit payload bytes a tapped frame keeps
 * @param tapBytes payload bytes the traffic ring (and each subscriber's queue) keeps in all
 * @param stateDir where committed tables are kept; empty: nothing persists
 * @param enforce start every umh with {@code --enforce} (docs/enforcement.md) until {@code enforce
 *     off} says otherwise
 */
public record HostConfig(
    UmhImage image,
    Duration handshakeTimeout,
    Duration requestTimeout,
    Duration watchdogInterval,
    Duration minBackoff,
    Duration maxBackoff,
    int startLimitBurst,
    Duration startLimitInterval,
    Duration unloadGrace,
    int logCapacity,
    int tapCapacity,
    int tapPayloadLimit,
    long tapBytes,
    Optional<Path> stateDir,
    boolean enforce) {

  public static HostConfig defaults(UmhImage image) {
    return builder(image).build();
  }

  /** The same configuration with another state dir (empty: nothing persists). */
  public HostConfig withStateDir(Optional<Path> dir) {
    Builder b = toBuilder();
    b.stateDir = dir;
    return b.build();
  }

  /** The same configuration with enforcement asked for or not. */
  public HostConfig withEnforce(boolean on) {
    return toBuilder().enforce(on).build();
  }

  /** A builder that starts from this configuration. */
  private Builder toBuilder() {
    Builder b = new Builder(image);
    b.handshakeTimeout = handshakeTimeout;
    b.requestTimeout = requestTimeout;
    b.watchdogInterval = watchdogInterval;
    b.minBackoff = minBackoff;
    b.maxBackoff = maxBackoff;
    b.startLimitBurst = startLimitBurst;
    b.startLimitInterval = startLimitInterval;
    b.unloadGrace = unloadGrace;
    b.logCapacity = logCapacity;
    b.tapCapacity = tapCapacity;
    b.tapPayloadLimit = tapPayloadLimit;
    b.tapBytes = tapBytes;
    b.stateDir = stateDir;
    b.enforce = enforce;
    return b;
  }

  public static Builder builder(UmhImage image) {
    return new Builder(image);
  }

  /** Defaults, each of which can be changed before {@link #build()}. */
  public static final class Builder {
    private final UmhImage image;
    private Duration handshakeTimeout = Duration.ofSeconds(5);
    private Duration requestTimeout = Duration.ofSeconds(2);
    private Duration watchdogInterval = Duration.ofSeconds(1);
    private Duration minBackoff = Duration.ofMillis(100);
    private Duration maxBackoff = Duration.ofSeconds(5);
    private int startLimitBurst = 5;
    private Duration startLimitInterval = Duration.ofSeconds(30);
    private Duration unloadGrace = Duration.ofSeconds(1);
    private int logCapacity = 10_000;
    private int tapCapacity = 4096;
    private int tapPayloadLimit = 1 << 20;
    private long tapBytes = TrafficTap.DEFAULT_BYTES;
    private Optional<Path> stateDir = Optional.empty();
    private boolean enforce;

    private Builder(UmhImage image) {
      this.image = image;
    }

    public Builder handshakeTimeout(Duration d) {
      handshakeTimeout = d;
      return this;
    }

    public Builder requestTimeout(Duration d) {
      requestTimeout = d;
      return this;
    }

    public Builder watchdogInterval(Duration d) {
      watchdogInterval = d;
      return this;
    }

    public Builder backoff(Duration min, Duration max) {
      minBackoff = min;
      maxBackoff = max;
      return this;
    }

    public Builder startLimit(int burst, Duration interval) {
      startLimitBurst = burst;
      startLimitInterval = interval;
      return this;
    }

    public Builder unloadGrace(Duration d) {
      unloadGrace = d;
      return this;
    }

    public Builder buffers(int logLines, int tapFrames, int tapPayloadBytes) {
      logCapacity = logLines;
      tapCapacity = tapFrames;
      tapPayloadLimit = tapPayloadBytes;
      return this;
    }

    public Builder tapBytes(long bytes) {
      tapBytes = bytes;
      return this;
    }

    public Builder stateDir(Path dir) {
      stateDir = Optional.of(dir);
      return this;
    }

    public Builder enforce(boolean on) {
      enforce = on;
      return this;
    }

    public HostConfig build() {
      return new HostConfig(
          image,
          handshakeTimeout,
          requestTimeout,
          watchdogInterval,
          minBackoff,
          maxBackoff,
          startLimitBurst,
          startLimitInterval,
          unloadGrace,
          logCapacity,
          tapCapacity,
          tapPayloadLimit,
          tapBytes,
          stateDir,
          enforce);
    }
  }
}
