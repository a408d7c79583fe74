package bpfilterctl.core.bpf.sys;

import java.lang.invoke.VarHandle;
import java.util.function.Consumer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The consumer side of a BPF_MAP_TYPE_RINGBUF, read as libbpf's ringbuf.c does: the consumer
 * position page mapped read-write at offset 0; the producer position page and the data, mapped
 * twice in a row so that a record wrapping the end reads in one piece, read-only after it. Each
 * record has an 8-byte header (u32 length with the busy and discard bits, u32 page offset). One
 * thread reads it.
 */
public final class RingBuffer implements AutoCloseable {
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_SHARED = 1;
  private static final short POLLIN = 1;
  private static final int BUSY = 1 << 31;
  private static final int DISCARD = 1 << 30;
  private static final int HEADER = 8;
  private static final long SYS_MMAP = 9;
  private static final long SYS_MUNMAP = 11;

  private final IoLibc libc;
  private final Runtime runtime;
  private final int fd;
  private final long pageSize;
  private final long size;
  private final long consumer;
  private final long producer;
  private final Pointer cons;
  private final Pointer prod;
  private final Pointer pollfd;
  private boolean closed;

  private RingBuffer(IoLibc libc, int fd, long pageSize, long size, long consumer, long producer) {
    this.libc = libc;
    this.runtime = Runtime.getRuntime(libc);
    this.fd = fd;
    this.pageSize = pageSize;
    this.size = size;
    this.consumer = consumer;
    this.producer = producer;
    this.cons = Pointer.wrap(runtime, consumer);
    this.prod = Pointer.wrap(runtime, producer);
    this.pollfd = Memory.allocateDirect(runtime, 8, true);
    pollfd.putInt(0, fd);
    pollfd.putShort(4, POLLIN);
  }

  /** Maps the ring buffer {@code map} (max_entries {@code size}, a power of two of pages). */
  public static RingBuffer map(Fd map, int size) throws BpfException {
    IoLibc libc = LibraryLoader.create(IoLibc.class).load("c");
    Runtime rt = Runtime.getRuntime(libc);
    long page = libc.getpagesize();
    long c = libc.syscall(SYS_MMAP, 0, page, PROT_READ | PROT_WRITE, MAP_SHARED, map.value(), 0);
    if (c < 0 && c > -4096) {
      throw new BpfException("mmap ring buffer consumer page", rt.getLastError());
    }
    long p = libc.syscall(SYS_MMAP, 0, page + 2L * size, PROT_READ, MAP_SHARED, map.value(), page);
    if (p < 0 && p > -4096) {
      int errno = rt.getLastError();
      libc.syscall(SYS_MUNMAP, c, page, 0, 0, 0, 0);
      throw new BpfException("mmap ring buffer data", errno);
    }
    return new RingBuffer(libc, map.value(), page, size, c, p);
  }

  /** Waits up to {@code timeoutMs} for data (the kernel wakes the map's pollers on submit). */
  public void await(int timeoutMs) {
    pollfd.putShort(6, (short) 0);
    libc.poll(pollfd, 1, timeoutMs);
  }

  /** Hands every committed record to {@code sink}, in order, and frees its space. */
  public int drain(Consumer<byte[]> sink) {
    int n = 0;
    long cpos = cons.getLong(0);
    VarHandle.acquireFence();
    while (true) {
      long ppos = prod.getLong(0);
      VarHandle.acquireFence();
      boolean progressed = false;
      while (cpos < ppos) {
        long at = pageSize + (cpos & (size - 1));
        int len = prod.getInt(at);
        VarHandle.acquireFence();
        if ((len & BUSY) != 0) {
          return n; // the producer has not committed it yet
        }
        progressed = true;
        int bytes = len & ~(BUSY | DISCARD);
        cpos += (bytes + HEADER + 7) & ~7L;
        if ((len & DISCARD) == 0) {
          byte[] record = new byte[bytes];
          prod.get(at + HEADER, record, 0, bytes);
          sink.accept(record);
          n++;
        }
        VarHandle.releaseFence();
        cons.putLong(0, cpos);
      }
      if (!progressed) {
        return n;
      }
    }
  }

  /** The ring buffer's fd (for poll). */
  public int fd() {
    return fd;
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      libc.syscall(SYS_MUNMAP, consumer, pageSize, 0, 0, 0, 0);
      libc.syscall(SYS_MUNMAP, producer, pageSize + 2 * size, 0, 0, 0, 0);
    }
  }
}
