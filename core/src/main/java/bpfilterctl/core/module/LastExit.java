package bpfilterctl.core.module;

import java.time.Instant;

/**
 * The most recent end of a umh.
 *
 * @param reason what the host saw: "unload", "died", "killed: timeout", ...
 */
public record LastExit(int pid, ExitStatus status, Instant at, String reason) {}
