package bpfilterctl.core.uapi;

/** struct xt_comment_info (xt_comment.h): char comment[XT_MAX_COMMENT_LEN], nothing else. */
public final class XtCommentInfo {
  /** XT_MAX_COMMENT_LEN, which is also the struct's size. */
  public static final int SIZE = 256;

  private XtCommentInfo() {}
}
