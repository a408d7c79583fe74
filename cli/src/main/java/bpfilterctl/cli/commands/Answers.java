package bpfilterctl.cli.commands;

import bpfilterctl.core.uapi.IptGetinfo;

/** Decodes of answers several commands read, failing as {@link AnswerUndecodable}. */
final class Answers {
  private Answers() {}

  static IptGetinfo info(byte[] reply) throws AnswerUndecodable {
    try {
      return IptGetinfo.decode(reply);
    } catch (IllegalArgumentException e) {
      throw new AnswerUndecodable("the GET_INFO answer", e);
    }
  }
}
