package bpfilterctl.core.bpf.enforce;

import bpfilterctl.core.bpf.sys.BpfException;
import bpfilterctl.core.bpf.sys.Nfnetlink;
import bpfilterctl.core.bpf.sys.Nfnetlink.Attrs;
import bpfilterctl.core.bpf.sys.Nfnetlink.Message;
import java.util.List;

/**
 * Keeps the kernel's connection tracking running in the calling thread's network namespace. Since
 * Linux 4.10 conntrack's hooks are registered in a namespace only while something there asks for
 * them (nf_ct_netns_get: xt_conntrack's and xt_state's checkentry, nf_tables' ct expression, ...);
 * BPF programs do not, so without a holder every packet would reach them with no conntrack entry
 * (INVALID).
 *
 * <p>The holder is an nf_tables table, {@value #TABLE} (family ip), with one regular chain, {@value
 * #CHAIN}, holding one rule whose only expression loads ct state: creating the expression takes the
 * namespace's conntrack reference (nft_ct_get_init); deleting the table drops it. The chain is not
 * attached to any hook, so the rule never runs. The table belongs to the namespace, not to the
 * process (no NFT_TABLE_F_OWNER): it stays while the pinned programs do, after the umh dies. {@code
 * nft list table ip bpfilterctl} shows it.
 */
public final class ConntrackHold {
  public static final String TABLE = "bpfilterctl";
  public static final String CHAIN = "conntrack";

  private static final int NFNL_SUBSYS_NFTABLES = 10;
  private static final int NFPROTO_IPV4 = 2;
  private static final int NFT_MSG_NEWTABLE = 0;
  private static final int NFT_MSG_GETTABLE = 1;
  private static final int NFT_MSG_DELTABLE = 2;
  private static final int NFT_MSG_NEWCHAIN = 3;
  private static final int NFT_MSG_NEWRULE = 6;
  private static final int NFTA_TABLE_NAME = 1;
  private static final int NFTA_CHAIN_TABLE = 1;
  private static final int NFTA_CHAIN_NAME = 3;
  private static final int NFTA_RULE_TABLE = 1;
  private static final int NFTA_RULE_CHAIN = 2;
  private static final int NFTA_RULE_EXPRESSIONS = 4;
  private static final int NFTA_LIST_ELEM = 1;
  private static final int NFTA_EXPR_NAME = 1;
  private static final int NFTA_EXPR_DATA = 2;
  private static final int NFTA_CT_DREG = 1;
  private static final int NFTA_CT_KEY = 2;
  private static final int NFT_CT_STATE = 0;
  private static final int NFT_REG_1 = 1;
  private static final int ENOENT = 2;

  private ConntrackHold() {}

  /**
   * Creates the holder table, replacing one that is there (one batch: create, delete, create again,
   * the chain, the rule; the reference never drops in between).
   */
  public static void hold() throws BpfException {
    int ack = Nfnetlink.NLM_F_REQUEST | Nfnetlink.NLM_F_ACK;
    int create = ack | Nfnetlink.NLM_F_CREATE;
    Attrs expr =
        new Attrs()
            .string(NFTA_EXPR_NAME, "ct")
            .nested(
                NFTA_EXPR_DATA,
                new Attrs().be32(NFTA_CT_DREG, NFT_REG_1).be32(NFTA_CT_KEY, NFT_CT_STATE));
    Attrs rule =
        new Attrs()
            .string(NFTA_RULE_TABLE, TABLE)
            .string(NFTA_RULE_CHAIN, CHAIN)
            .nested(NFTA_RULE_EXPRESSIONS, new Attrs().nested(NFTA_LIST_ELEM, expr));
    batch(
        "hold conntrack",
        List.of(
            message(NFT_MSG_NEWTABLE, create, table()),
            message(NFT_MSG_DELTABLE, ack, table()),
            message(NFT_MSG_NEWTABLE, create, table()),
            message(
                NFT_MSG_NEWCHAIN,
                create,
                new Attrs().string(NFTA_CHAIN_TABLE, TABLE).string(NFTA_CHAIN_NAME, CHAIN)),
            message(NFT_MSG_NEWRULE, create | Nfnetlink.NLM_F_APPEND, rule)));
  }

  /** Deletes the holder table if it is there (created first in the same batch, so never ENOENT). */
  public static void release() throws BpfException {
    int ack = Nfnetlink.NLM_F_REQUEST | Nfnetlink.NLM_F_ACK;
    batch(
        "release conntrack",
        List.of(
            message(NFT_MSG_NEWTABLE, ack | Nfnetlink.NLM_F_CREATE, table()),
            message(NFT_MSG_DELTABLE, ack, table())));
  }

  /** Whether the holder table exists in this namespace. */
  public static boolean held() throws BpfException {
    try (Nfnetlink nl = Nfnetlink.open()) {
      List<Nfnetlink.Reply> replies =
          nl.request(
              message(NFT_MSG_GETTABLE, Nfnetlink.NLM_F_REQUEST | Nfnetlink.NLM_F_ACK, table()));
      Nfnetlink.Reply last = replies.get(replies.size() - 1);
      if (last.error() == -ENOENT) {
        return false;
      }
      if (last.error() != 0) {
        throw new BpfException("nf_tables: get table " + TABLE, -last.error());
      }
      return replies.size() > 1;
    }
  }

  private static Attrs table() {
    return new Attrs().string(NFTA_TABLE_NAME, TABLE);
  }

  private static Message message(int cmd, int flags, Attrs attrs) {
    return new Message((NFNL_SUBSYS_NFTABLES << 8) | cmd, flags, NFPROTO_IPV4, 0, attrs.bytes());
  }

  private static void batch(String what, List<Message> messages) throws BpfException {
    try (Nfnetlink nl = Nfnetlink.open()) {
      int[] answers = nl.transact(NFNL_SUBSYS_NFTABLES, messages);
      for (int a : answers) {
        if (a != 0) {
          throw new BpfException("nf_tables: " + what, -a);
        }
      }
    }
  }
}
