package bpfilterctl.core.iptables.ext;

import bpfilterctl.core.uapi.ExtensionKind;
import bpfilterctl.core.uapi.XtCommentInfo;
import java.util.List;

/** comment (libxt_comment.c): struct xt_comment_info { char comment[256]; }. */
public final class CommentMatch extends AbstractXtExtension {

  public static final List<XtExtension> ALL = List.of(new CommentMatch());

  private CommentMatch() {
    super(
        ExtensionKind.MATCH,
        "comment",
        0,
        XtCommentInfo.SIZE,
        List.of(
            XtOption.of("comment", XtOptionType.STRING, 0, XtOption.MAND)
                .withSize(XtCommentInfo.SIZE)));
  }

  @Override
  public void parse(XtArg a, ExtData d) {
    XtPrint.putCString(d.data(), 0, XtCommentInfo.SIZE, a.arg());
  }

  @Override
  public void print(ExtData d, boolean numeric, StringBuilder out) {
    out.append(" /* ").append(XtPrint.cString(d.data(), 0, XtCommentInfo.SIZE - 1)).append(" */");
  }

  @Override
  public void save(ExtData d, StringBuilder out) {
    out.append(" --comment");
    XtText.saveString(XtPrint.cString(d.data(), 0, XtCommentInfo.SIZE - 1), out);
  }
}
