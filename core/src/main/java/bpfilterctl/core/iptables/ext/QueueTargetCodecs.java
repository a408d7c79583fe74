package bpfilterctl.core.iptables.ext;

import static bpfilterctl.core.iptables.ext.XtText.u16;

import bpfilterctl.core.iptables.RuleException;
import bpfilterctl.core.uapi.ExtensionKind;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * NFQUEUE (libxt_NFQUEUE), revisions 0-3: struct xt_NFQ_info { u16 queuenum; }, v1 adds u16
 * queues_total, v2 u16 bypass, v3 renames it flags (bypass, cpu-fanout).
 */
final class QueueTargetCodecs {
  private QueueTargetCodecs() {}

  static final List<XtExtension> ALL =
      List.of(new Nfqueue(0), new Nfqueue(1), new Nfqueue(2), new Nfqueue(3));

  private static final int O_QUEUE_NUM = 0;
  private static final int O_QUEUE_BALANCE = 1;
  private static final int O_QUEUE_BYPASS = 2;
  private static final int O_QUEUE_CPU_FANOUT = 3;
  private static final int BYPASS = 1;
  private static final int CPU_FANOUT = 2;

  static final class Nfqueue extends AbstractXtExtension {
    Nfqueue(int revision) {
      super(
          ExtensionKind.TARGET,
          "NFQUEUE",
          revision,
          revision == 0 ? 2 : revision == 1 ? 4 : 6,
          List.of(
              XtOption.of("queue-num", XtOptionType.UINT16, O_QUEUE_NUM)
                  .withExcl(XtOption.mask(O_QUEUE_BALANCE)),
              XtOption.of("queue-balance", XtOptionType.UINT16RC, O_QUEUE_BALANCE)
                  .withRange(0, 0xfffe)
                  .withExcl(XtOption.mask(O_QUEUE_NUM)),
              XtOption.flag("queue-bypass", O_QUEUE_BYPASS),
              XtOption.flag("queue-cpu-fanout", O_QUEUE_CPU_FANOUT)
                  .withAlso(XtOption.mask(O_QUEUE_BALANCE))));
    }

    @Override
    public void init(ExtData d) {
      if (revision() > 0) {
        d.data().putShort(2, (short) 1);
      }
    }

    @Override
    public void parse(XtArg arg, ExtData d) throws RuleException {
      ByteBuffer b = d.data();
      switch (arg.id()) {
        case O_QUEUE_NUM -> b.putShort(0, (short) arg.val());
        case O_QUEUE_BALANCE -> {
          if (revision() == 0) {
            throw RuleException.parameter(
                "NFQUEUE target: --queue-balance not supported (kernel too old?)");
          }
          if (arg.nvals() != 2) {
            throw RuleException.parameter("Bad range \"" + arg.arg() + "\"");
          }
          long first = arg.val(0);
          long last = arg.val(1);
          if (first >= last) {
            throw RuleException.parameter(first + " should be less than " + last);
          }
          b.putShort(0, (short) first);
          b.putShort(2, (short) (last - first + 1));
        }
        case O_QUEUE_BYPASS -> {
          if (revision() >= 2) {
            b.putShort(4, (short) (u16(b, 4) | BYPASS));
          }
        }
        case O_QUEUE_CPU_FANOUT -> {
          if (revision() == 3) {
            b.putShort(4, (short) (u16(b, 4) | CPU_FANOUT));
          }
        }
        default -> {}
      }
    }

    private void describe(ExtData d, boolean save, StringBuilder out) {
      ByteBuffer b = d.data();
      int queue = u16(b, 0);
      int total = revision() > 0 ? u16(b, 2) : 1;
      if (total > 1) {
        out.append(save ? " --queue-balance " : " NFQUEUE balance ")
            .append(queue)
            .append(':')
            .append(total + queue - 1);
      } else {
        out.append(save ? " --queue-num " : " NFQUEUE num ").append(queue);
      }
      int flags = revision() >= 2 ? u16(b, 4) : 0;
      if ((flags & BYPASS) != 0) {
        out.append(save ? " --queue-bypass" : " bypass");
      }
      if (revision() == 3 && (flags & CPU_FANOUT) != 0) {
        out.append(save ? " --queue-cpu-fanout" : " cpu-fanout");
      }
    }

    @Override
    public void print(ExtData d, boolean numeric, StringBuilder out) {
      describe(d, false, out);
    }

    @Override
    public void save(ExtData d, StringBuilder out) {
      describe(d, true, out);
    }
  }
}
