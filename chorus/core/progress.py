"""A plain progress bar for long commands, written to a terminal or a log alike."""

from __future__ import annotations


def progress(done: int, total: int, stream, *, label: str = "", width: int = 30) -> None:
    """Draw the bar at most a hundred times, whatever the total, and end it with a newline."""
    if total <= 0:
        return
    step = max(1, total // 100)
    if done != total and done % step:
        return
    filled = width * done // total
    line = f"{label} [{'#' * filled}{'-' * (width - filled)}] {done}/{total}"
    line += "\n" if done == total else "\r"
    if hasattr(stream, "style_func"):  # Django's OutputWrapper adds its own line ending
        stream.write(line, ending="")
    else:
        stream.write(line)
    stream.flush()
