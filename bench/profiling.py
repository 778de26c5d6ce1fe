"""Profiles of a running server with py-spy (a sampling profiler that attaches to a process by
pid: no change to the server's code or command line), and what bench/ makes of them: a text
summary (top frames by own and by total samples, samples per thread and per package) and a
flame graph SVG, both drawn from py-spy's collapsed stacks (`--format raw`), so one recording
gives both. py-spy samples only the thread holding the GIL (`--gil`): what the process spends
running Python, by thread.

Attaching needs ptrace permission on the target: root, or the same user with
/proc/sys/kernel/yama/ptrace_scope at 0 (or absent, as on this machine). With ptrace_scope 1 a
profiler may only attach to its own descendants: run the server as `py-spy record -- daphne
...` instead.

Again from a kept recording: .venv/bin/python bench/profiling.py results/profile-X.collapsed
"""

import argparse
import html
import re
import subprocess
import sys
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

PY_SPY = Path(sys.executable).parent / "py-spy"
RATE_HZ = 200  # samples per second (py-spy's default is 100)
TOP = 30

Stacks = Counter[tuple[str, ...]]  # (thread, outermost frame, ..., innermost frame) → samples


# --- recording -------------------------------------------------------------------------------


def ptrace_scope() -> str:
    try:
        return Path("/proc/sys/kernel/yama/ptrace_scope").read_text().strip()
    except OSError:
        return "absent (no Yama: root or the same user may attach)"


def start_recording(pid: int, seconds: float, raw: Path, log: Path) -> subprocess.Popen[bytes]:
    """py-spy sampling `pid` for `seconds` into collapsed stacks at `raw`, once it is attached
    (py-spy sometimes fails to read a busy target's interpreter on its first try)."""
    raw.parent.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [
        str(PY_SPY),
        "record",
        "--pid",
        str(pid),
        "--duration",
        str(round(seconds) + 1),  # the first second passes before this returns
        "--rate",
        str(RATE_HZ),
        "--threads",
        # Only the thread holding the GIL: Python's own work. py-spy's idle detection counts
        # pool threads waking up in queue.get() as busy on a loaded machine.
        "--gil",
        "--format",
        "raw",
        "--output",
        str(raw),
    ]
    for _ in range(3):
        with log.open("ab") as output:
            process = subprocess.Popen(command, stdout=output, stderr=output)
        try:
            process.wait(timeout=1)
        except subprocess.TimeoutExpired:
            return process  # attached and sampling
    raise RuntimeError(
        f"py-spy could not attach to {pid} (see {log}); it needs ptrace permission: "
        f"kernel.yama.ptrace_scope is {ptrace_scope()}"
    )


def finish_recording(process: subprocess.Popen[bytes], raw: Path, log: Path) -> None:
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait()
    if process.returncode != 0 or not raw.exists():
        raise RuntimeError(
            f"py-spy failed ({process.returncode}; see {log}). It needs ptrace permission on the "
            f"server: kernel.yama.ptrace_scope is {ptrace_scope()}."
        )


# --- reading ---------------------------------------------------------------------------------

LINE_NUMBER = re.compile(r" \((.*?):\d+\)$")
THREAD = re.compile(r"^thread \(\w+\): (?P<name>.*?)(?:_\d+)?$")


def frame_name(frame: str) -> str:
    """`handle (daphne/ws_protocol.py:120)` → `handle (daphne/ws_protocol.py)`: one function,
    whichever of its lines was running."""
    frame = LINE_NUMBER.sub(r" (\1)", frame)
    return frame.replace(".venv/lib/python3.11/site-packages/", "")


def thread_name(frame: str) -> str:
    """`thread (0x7f..): ThreadPoolExecutor-0_3` → `thread ThreadPoolExecutor-0` (a pool's
    threads together)."""
    match = THREAD.match(frame)
    return f"thread {match['name']}" if match else frame


def read_collapsed(path: Path) -> Stacks:
    stacks: Stacks = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = stack.split(";")
        if frames[0].startswith("thread ("):
            frames = [thread_name(frames[0]), *(frame_name(f) for f in frames[1:])]
        else:
            frames = ["thread ?", *(frame_name(f) for f in frames)]
        stacks[tuple(frames)] += int(count)
    return stacks


def package_of(frame: str) -> str:
    """The top-level package of a frame's file: `daphne`, `django`, `realtime`, `<stdlib>`."""
    match = re.search(r"\(([^()]*)\)$", frame)
    path = match.group(1) if match else ""
    if "/lib/python3" in path:
        return "<stdlib>"
    first = path.lstrip("./").split("/")[0]
    return first.removesuffix(".py") or "?"


# --- the text summary ------------------------------------------------------------------------


def own_and_total(stacks: Stacks) -> tuple[Counter[str], Counter[str]]:
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for frames, count in stacks.items():
        code = frames[1:]
        if not code:
            continue
        own[code[-1]] += count
        for frame in set(code):  # a recursive function counts once per sample
            total[frame] += count
    return own, total


def ranking(counts: Counter[str], samples: int, title: str, column: str = "frame") -> str:
    lines = [f"{title}\n", f"{'samples':>8} {'%':>6}  {column}\n"]
    for frame, count in counts.most_common(TOP):
        lines.append(f"{count:>8} {count / samples * 100:>5.1f}%  {frame}\n")
    return "".join(lines)


def summary(stacks: Stacks, title: str, rate_hz: int = RATE_HZ, note: str = "") -> str:
    samples = sum(stacks.values())
    if not samples:
        return f"{title}\n\nno samples (no thread held the GIL)\n"
    own, total = own_and_total(stacks)
    threads: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    for frames, count in stacks.items():
        threads[frames[0]] += count
        if len(frames) > 1:
            packages[package_of(frames[-1])] += count
    return "\n".join(
        [
            f"{title}\n\n{samples} samples at {rate_hz} Hz = {samples / rate_hz:.2f} s with a "
            "thread holding the GIL (running Python; waits in epoll, on locks and sockets "
            f"release it){note}\n",
            ranking(threads, samples, "Samples per thread (a pool's threads together)", "thread"),
            ranking(
                packages,
                samples,
                "Own samples per package (the file of the innermost frame)",
                "package or module",
            ),
            ranking(own, samples, f"Top {TOP} frames by own samples (innermost frame)"),
            ranking(total, samples, f"Top {TOP} frames by total samples (anywhere in the stack)"),
        ]
    )


# --- the flame graph -------------------------------------------------------------------------

WIDTH = 1600
ROW = 17
MIN_WIDTH = 0.5  # pixels: thinner frames are left out


def colour(name: str) -> str:
    h = zlib.crc32(name.encode())
    return f"rgb({205 + h % 50},{80 + (h >> 8) % 130},{40 + (h >> 16) % 50})"


@dataclass
class Node:
    count: int = 0
    children: dict[str, "Node"] = field(default_factory=dict)


def tree(stacks: Stacks) -> Node:
    root = Node()
    for frames, count in stacks.items():
        node = root
        node.count += count
        for frame in frames:
            node = node.children.setdefault(frame, Node())
            node.count += count
    return root


def flamegraph_svg(stacks: Stacks, title: str) -> str:
    """Frames as boxes as wide as their samples, callers below callees (a flame graph), each
    with its figures in a tooltip; ordered by name within a parent, as flamegraph.pl does."""
    root = tree(stacks)
    samples = max(1, root.count)
    scale = WIDTH / samples
    boxes: list[tuple[int, float, float, str, int]] = []  # depth, x, width, name, samples

    def place(node: Node, depth: int, x: float) -> None:
        for name in sorted(node.children):
            child = node.children[name]
            width = child.count * scale
            if width >= MIN_WIDTH:
                boxes.append((depth, x, width, name, child.count))
                place(child, depth + 1, x)
            x += width

    place(root, 0, 0.0)
    height = (max((b[0] for b in boxes), default=0) + 3) * ROW
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        'font-family="monospace" font-size="11">\n'
        '<rect width="100%" height="100%" fill="#fdfdf5"/>\n'
        f'<text x="4" y="{ROW - 4}" font-size="13">{html.escape(title)} '
        f"({samples} samples; hover a frame for its figures)</text>\n"
    ]
    for level, x, width, name, count in boxes:
        y = height - (level + 1) * ROW
        fits = int(width / 7)  # characters of 11 px monospace
        label = name if fits >= len(name) else name[: fits - 2] + ".." if fits >= 6 else ""
        tip = f"{name}: {count} samples, {count / samples * 100:.2f} %"
        text = f'<text x="{x + 2:.2f}" y="{y + ROW - 5}">{html.escape(label)}</text>'
        out.append(
            f'<g><title>{html.escape(tip)}</title><rect x="{x:.2f}" y="{y}" '
            f'width="{width:.2f}" height="{ROW - 1}" fill="{colour(name)}"/>'
            f"{text if label else ''}</g>\n"
        )
    out.append("</svg>\n")
    return "".join(out)


def write_profile(raw: Path, svg: Path, txt: Path, title: str, note: str = "") -> None:
    stacks = read_collapsed(raw)
    svg.write_text(flamegraph_svg(stacks, title))
    txt.write_text(summary(stacks, title, note=note))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("collapsed", type=Path, help="py-spy --format raw output")
    parser.add_argument("--title", default="")
    parser.add_argument("--rate", type=int, default=RATE_HZ, help="py-spy's --rate")
    args = parser.parse_args()
    raw: Path = args.collapsed
    stacks = read_collapsed(raw)
    title = args.title or raw.stem
    raw.with_suffix(".svg").write_text(flamegraph_svg(stacks, title))
    raw.with_suffix(".txt").write_text(summary(stacks, title, args.rate))
    print(raw.with_suffix(".txt").read_text())


if __name__ == "__main__":
    main()
