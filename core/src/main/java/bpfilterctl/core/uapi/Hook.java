package bpfilterctl.core.uapi;

/** The netfilter IPv4 hooks (enum nf_inet_hooks), the index of hook_entry[] and underflow[]. */
public enum Hook {
  PREROUTING,
  INPUT,
  FORWARD,
  OUTPUT,
  POSTROUTING;

  /** This hook's bit in valid_hooks and in an entry's comefrom. */
  public int bit() {
    return 1 << ordinal();
  }
}
