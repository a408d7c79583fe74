package bpfilterctl.core.traffic;

/**
 * What a frame's payload says in one line of the traffic pane.
 *
 * @param table the table the frame is about, "" when none (a handshake, a revision query)
 * @param text the short decode: entry counts, sizes, names
 */
public record FrameSummary(String table, String text) {}
