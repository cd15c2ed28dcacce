#!/usr/bin/env python3
"""Turn a terminal capture with colours (`tmux capture-pane -e -p -N`) into a PNG.

The capture is parsed cell by cell (SGR colours and attributes; CJK and emoji take two
cells), laid out as HTML on a fixed grid (every cell its own box, so wide characters never
overlap and box drawing stays aligned whatever the font's widths), and photographed with
headless Chromium. Half and full blocks (the QR code) are painted as boxes, not glyphs, so
they join without gaps and the code stays scannable.

    ansi_png.py CAPTURE OUT.png COLS ROWS [--chromium PATH]
"""

import argparse
import html
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

CELL_W = 9  # px
CELL_H = 19  # px
PAD = 12  # px around the screen
FONT_PX = 15
DEFAULT_FG = (0xC9, 0xD1, 0xD9)
DEFAULT_BG = (0x0D, 0x11, 0x17)

# xterm's 16 base colours.
BASE16 = [
    (0x00, 0x00, 0x00), (0xCD, 0x00, 0x00), (0x00, 0xCD, 0x00), (0xCD, 0xCD, 0x00),
    (0x00, 0x00, 0xEE), (0xCD, 0x00, 0xCD), (0x00, 0xCD, 0xCD), (0xE5, 0xE5, 0xE5),
    (0x7F, 0x7F, 0x7F), (0xFF, 0x00, 0x00), (0x00, 0xFF, 0x00), (0xFF, 0xFF, 0x00),
    (0x5C, 0x5C, 0xFF), (0xFF, 0x00, 0xFF), (0x00, 0xFF, 0xFF), (0xFF, 0xFF, 0xFF),
]


def xterm256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    level = 8 + (n - 232) * 10
    return (level, level, level)


def cell_width(ch):
    """How many cells a character takes, as a terminal counts them."""
    cp = ord(ch[0])
    if unicodedata.combining(ch[0]):
        return 0
    if unicodedata.east_asian_width(ch[0]) in ("W", "F"):
        return 2
    if 0x1F300 <= cp <= 0x1FAFF:
        return 2
    return 1


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def copy(self):
        s = Style()
        for k in self.__slots__:
            setattr(s, k, getattr(self, k))
        return s

    def apply(self, params):
        codes = [int(p) if p else 0 for p in params.split(";")] if params else [0]
        i = 0
        while i < len(codes):
            c = codes[i]
            if c == 0:
                self.reset()
            elif c == 1:
                self.bold = True
            elif c == 2:
                self.dim = True
            elif c == 3:
                self.italic = True
            elif c == 4:
                self.underline = True
            elif c == 7:
                self.reverse = True
            elif c == 22:
                self.bold = self.dim = False
            elif c == 23:
                self.italic = False
            elif c == 24:
                self.underline = False
            elif c == 27:
                self.reverse = False
            elif 30 <= c <= 37:
                self.fg = BASE16[c - 30]
            elif c == 39:
                self.fg = None
            elif 40 <= c <= 47:
                self.bg = BASE16[c - 40]
            elif c == 49:
                self.bg = None
            elif 90 <= c <= 97:
                self.fg = BASE16[c - 90 + 8]
            elif 100 <= c <= 107:
                self.bg = BASE16[c - 100 + 8]
            elif c in (38, 48) and i + 1 < len(codes):
                if codes[i + 1] == 5 and i + 2 < len(codes):
                    color = xterm256(codes[i + 2])
                    i += 2
                elif codes[i + 1] == 2 and i + 4 < len(codes):
                    color = tuple(codes[i + 2 : i + 5])
                    i += 4
                else:
                    color = None
                if c == 38:
                    self.fg = color
                else:
                    self.bg = color
            i += 1

    def colors(self):
        fg = self.fg or DEFAULT_FG
        bg = self.bg or DEFAULT_BG
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


SEQ = re.compile(r"\x1b\[([0-9;]*)([A-Za-z])|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b.")


def parse(text, cols, rows):
    """The screen as rows of (char, width, Style)."""
    screen = []
    style = Style()
    for line in text.split("\n")[:rows]:
        row = []
        pos = 0
        for m in SEQ.finditer(line):
            for ch in line[pos : m.start()]:
                row.append((ch, cell_width(ch), style.copy()))
            pos = m.end()
            if m.group(2) == "m":
                style.apply(m.group(1))
        for ch in line[pos:]:
            row.append((ch, cell_width(ch), style.copy()))
        row = [c for c in row if c[1] > 0]
        used = sum(c[1] for c in row)
        blank = Style()
        while used < cols:
            row.append((" ", 1, blank))
            used += 1
        screen.append(row)
    while len(screen) < rows:
        screen.append([(" ", 1, Style())] * cols)
    return screen


def hexc(c):
    return "#%02x%02x%02x" % c


BLOCKS = {
    "█": "{fg}",
    "▀": "linear-gradient({fg} 50%, {bg} 50%)",
    "▄": "linear-gradient({bg} 50%, {fg} 50%)",
    "▌": "linear-gradient(90deg, {fg} 50%, {bg} 50%)",
    "▐": "linear-gradient(90deg, {bg} 50%, {fg} 50%)",
}


# Box drawing as arms from the cell's centre (up, down, left, right) and a thickness in px:
# painted, so lines join across cells whatever the font's line height.
ARMS = {
    "─": ("lr", 1), "│": ("ud", 1), "┌": ("dr", 1), "┐": ("dl", 1), "└": ("ur", 1),
    "┘": ("ul", 1), "├": ("udr", 1), "┤": ("udl", 1), "┬": ("dlr", 1), "┴": ("ulr", 1),
    "┼": ("udlr", 1), "╭": ("dr", 1), "╮": ("dl", 1), "╰": ("ur", 1), "╯": ("ul", 1),
    "━": ("lr", 2), "┃": ("ud", 2), "┏": ("dr", 2), "┓": ("dl", 2), "┗": ("ur", 2),
    "┛": ("ul", 2), "┣": ("udr", 2), "┫": ("udl", 2), "┳": ("dlr", 2), "┻": ("ulr", 2),
    "╋": ("udlr", 2),
}


def box_background(ch, fg, bg):
    arms, t = ARMS[ch]
    cx = (CELL_W - t) // 2
    cy = (CELL_H - t) // 2
    layers = []
    for arm in arms:
        if arm == "u":
            size, pos = (t, cy + t), (cx, 0)
        elif arm == "d":
            size, pos = (t, CELL_H - cy), (cx, cy)
        elif arm == "l":
            size, pos = (cx + t, t), (0, cy)
        else:
            size, pos = (CELL_W - cx, t), (cx, cy)
        layers.append(
            "linear-gradient({0},{0}) {1}px {2}px/{3}px {4}px no-repeat".format(
                fg, pos[0], pos[1], size[0], size[1]
            )
        )
    return "background:" + ",".join(layers) + "," + bg


def to_html(screen, cols, rows):
    out = []
    for row in screen:
        out.append('<div class="r">')
        x = 0
        for ch, w, st in row:
            if x + w > cols:
                break
            fg, bg = st.colors()
            css = []
            if ch in ARMS:
                css.append(box_background(ch, hexc(fg), hexc(bg)))
                ch = " "
            elif ch in BLOCKS:
                css.append("background:" + BLOCKS[ch].format(fg=hexc(fg), bg=hexc(bg)))
                ch = " "
            else:
                css.append("background:" + hexc(bg))
                if ch != " ":
                    css.append("color:" + hexc(fg))
            if st.bold:
                css.append("font-weight:bold")
            if st.italic:
                css.append("font-style:italic")
            if st.underline:
                css.append("text-decoration:underline")
            cls = "c w" if w == 2 else "c"
            out.append(
                '<span class="%s" style="%s">%s</span>' % (cls, ";".join(css), html.escape(ch))
            )
            x += w
        out.append("</div>")
    width = cols * CELL_W + 2 * PAD
    height = rows * CELL_H + 2 * PAD
    page = f"""<!doctype html><html><head><meta charset="utf-8"><style>
html,body{{margin:0;padding:0;background:{hexc(DEFAULT_BG)};}}
body{{width:{width}px;height:{height}px;overflow:hidden;}}
.s{{padding:{PAD}px;font-family:'DejaVu Sans Mono','Noto Sans Mono CJK SC','Noto Sans CJK SC',
'Noto Color Emoji',monospace;font-size:{FONT_PX}px;color:{hexc(DEFAULT_FG)};}}
.r{{height:{CELL_H}px;line-height:{CELL_H}px;white-space:pre;overflow:hidden;}}
.c{{display:inline-block;width:{CELL_W}px;height:{CELL_H}px;overflow:visible;
vertical-align:top;text-align:left;}}
.w{{width:{2 * CELL_W}px;text-align:center;}}
</style></head><body><div class="s">{''.join(out)}</div></body></html>"""
    return page, width, height


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture")
    ap.add_argument("out")
    ap.add_argument("cols", type=int)
    ap.add_argument("rows", type=int)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--html", help="also keep the HTML here")
    a = ap.parse_args()
    with open(a.capture, encoding="utf-8", errors="replace") as f:
        text = f.read()
    page, width, height = to_html(parse(text, a.cols, a.rows), a.cols, a.rows)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "screen.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        if a.html:
            with open(a.html, "w", encoding="utf-8") as f:
                f.write(page)
        cmd = [
            a.chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--user-data-dir=" + os.path.join(tmp, "profile"),
            "--window-size=%d,%d" % (width, height),
            "--screenshot=" + os.path.abspath(a.out),
            "file://" + path,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0 or not os.path.exists(a.out):
            sys.stderr.write(done.stderr)
            sys.exit("ansi_png: chromium failed to take the screenshot")


if __name__ == "__main__":
    main()
