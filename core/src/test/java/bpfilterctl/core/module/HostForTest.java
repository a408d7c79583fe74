package bpfilterctl.core.module;

/** A host process of its own for tests that kill the host: loads, prints the umh pid, waits. */
public final class HostForTest {
  private HostForTest() {}

  public static void main(String[] args) throws Exception {
    ModuleHost host = new ModuleHost(HostConfig.defaults(UmhImage.embedded(java.util.List.of())));
    System.out.println(host.load());
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE);
  }
}
