package bpfilterctl.core.kernel;

import bpfilterctl.core.uapi.XtCommentInfo;
import java.util.List;

/** xt_comment.c: char comment[256], no check. */
final class CommentCheck {
  static final List<KernelExtension> ALL = List.of(Xt.match("comment", 0, XtCommentInfo.SIZE));

  private CommentCheck() {}
}
