package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Which frames a view shows: all of the given terms must hold. Typed as words: an option name or
 * part of one ({@code SET_REPLACE}, {@code get_info}), {@code req} or {@code reply}, {@code err}
 * (error replies only), {@code pid=N} (the caller's pid), {@code handshake} (the watchdog's and
 * ping's cmd 0 requests and their replies); {@code !} before a word negates it ({@code !handshake},
 * {@code !err}).
 */
public record FrameFilter(List<Term> terms) implements Predicate<Frame> {

  /** One typed word: what it says, whether it is negated, and what it tests. */
  public record Term(String text, boolean negated, Predicate<Frame> test) {
    boolean holds(Frame f) {
      return test.test(f) != negated;
    }

    String describe() {
      return (negated ? "!" : "") + text;
    }
  }

  public static final FrameFilter ALL = new FrameFilter(List.of());

  public FrameFilter {
    terms = List.copyOf(terms);
  }

  /** The handshake: cmd 0, a get of nothing, what the watchdog and ping send. */
  public static boolean isHandshake(Frame f) {
    return f.cmd() == 0 && !f.isSet();
  }

  /** Parses the words; throws IllegalArgumentException naming a bad one. */
  public static FrameFilter parse(String text) {
    List<Term> terms = new ArrayList<>();
    for (String word : text.trim().split("\\s+")) {
      boolean negated = word.startsWith("!");
      String w = negated ? word.substring(1) : word;
      String lw = w.toLowerCase(Locale.ROOT);
      if (lw.isEmpty()) {
        if (negated) {
          throw new IllegalArgumentException("! needs a word after it");
        }
        continue;
      }
      terms.add(term(w, lw, negated));
    }
    return new FrameFilter(terms);
  }

  private static Term term(String w, String lw, boolean negated) {
    switch (lw) {
      case "err", "errs", "error", "errors":
        return new Term("err", negated, Frame::isError);
      case "req", "request", "requests", "->":
        return new Term("req", negated, f -> f.direction() == Frame.Direction.REQUEST);
      case "rep", "reply", "replies", "<-":
        return new Term("reply", negated, f -> f.direction() == Frame.Direction.REPLY);
      case "handshake", "handshakes", "hs":
        return new Term("handshake", negated, FrameFilter::isHandshake);
      default:
        break;
    }
    if (lw.startsWith("pid=") || lw.startsWith("pid:")) {
      int pid;
      try {
        pid = Integer.parseInt(lw.substring(4));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("pid needs a number: " + w, e);
      }
      return new Term("pid=" + pid, negated, f -> f.callerPid() == pid);
    }
    String option = w.toUpperCase(Locale.ROOT);
    return new Term(option, negated, f -> f.optionName().contains(option));
  }

  @Override
  public boolean test(Frame f) {
    for (Term t : terms) {
      if (!t.holds(f)) {
        return false;
      }
    }
    return true;
  }

  public boolean all() {
    return terms.isEmpty();
  }

  /** Whether a term speaks of handshakes (then it, not the view's default, decides them). */
  public boolean mentionsHandshakes() {
    return terms.stream().anyMatch(t -> t.text().equals("handshake"));
  }

  /** The filter as it can be typed again; empty for ALL. */
  public String describe() {
    return terms.stream().map(Term::describe).collect(Collectors.joining(" "));
  }
}
