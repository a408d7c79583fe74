package bpfilterctl.core.traffic;

import bpfilterctl.core.module.Frame;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.StringJoiner;
import java.util.function.Predicate;

/**
 * Which frames a view shows: all of the given terms must hold. Typed as words: an option name or
 * part of one ({@code SET_REPLACE}, {@code get_info}), {@code req} or {@code reply}, {@code err}
 * (error replies only), {@code pid=N} (the caller's pid).
 */
public record FrameFilter(
    Optional<String> option,
    Optional<Frame.Direction> direction,
    boolean errorsOnly,
    OptionalInt callerPid)
    implements Predicate<Frame> {

  public static final FrameFilter ALL =
      new FrameFilter(Optional.empty(), Optional.empty(), false, OptionalInt.empty());

  /** Parses the words; throws IllegalArgumentException naming a bad one. */
  public static FrameFilter parse(String text) {
    Optional<String> option = Optional.empty();
    Optional<Frame.Direction> direction = Optional.empty();
    boolean errors = false;
    OptionalInt pid = OptionalInt.empty();
    for (String w : text.trim().split("\\s+")) {
      String lw = w.toLowerCase(Locale.ROOT);
      if (lw.isEmpty()) {
        continue;
      }
      switch (lw) {
        case "err", "errs", "error", "errors" -> errors = true;
        case "req", "request", "requests", "->" -> direction = Optional.of(Frame.Direction.REQUEST);
        case "rep", "reply", "replies", "<-" -> direction = Optional.of(Frame.Direction.REPLY);
        default -> {
          if (lw.startsWith("pid=") || lw.startsWith("pid:")) {
            try {
              pid = OptionalInt.of(Integer.parseInt(lw.substring(4)));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("pid needs a number: " + w, e);
            }
          } else {
            option = Optional.of(w.toUpperCase(Locale.ROOT));
          }
        }
      }
    }
    return new FrameFilter(option, direction, errors, pid);
  }

  @Override
  public boolean test(Frame f) {
    return (option.isEmpty() || f.optionName().contains(option.get()))
        && (direction.isEmpty() || f.direction() == direction.get())
        && (!errorsOnly || f.isError())
        && (callerPid.isEmpty() || f.callerPid() == callerPid.getAsInt());
  }

  public boolean all() {
    return equals(ALL);
  }

  /** The filter as it can be typed again; empty for ALL. */
  public String describe() {
    StringJoiner j = new StringJoiner(" ");
    option.ifPresent(j::add);
    direction.ifPresent(d -> j.add(d == Frame.Direction.REQUEST ? "req" : "reply"));
    if (errorsOnly) {
      j.add("err");
    }
    callerPid.ifPresent(p -> j.add("pid=" + p));
    return j.toString();
  }
}
