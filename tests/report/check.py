#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Checks of `kwhy report` for tests/report/run.sh (Debian's python3).

  check.py md REPLAY.jsonl REPORT.md
      every explanation of `kwhy replay --json` is in the Markdown: its JSON
      record verbatim (the facts) and its sentence and fix, escaped for
      Markdown as kwhy escapes them
  check.py png SHOT.png COLOR[,COLOR...] ...
      the screenshot shows each group of timeline colours: one colour of each
      group over more pixels than its legend swatch, right of the labels
Prints "ok"/"not ok" lines; exits 1 when one failed.
"""
import json
import sys

LEGEND_SWATCH = 100
MD_SPECIAL = set('\\`*_[]<>&|~!')


def md_escape(s):
    """util/escape.c kw_escape_md, for the printable text of explanations"""
    out = []
    for ch in s:
        if ch in MD_SPECIAL:
            out.append('\\')
        out.append(ch)
    return ''.join(out)


def check_md(replay, report):
    md = open(report, encoding='utf-8').read()
    fails = 0
    n = 0
    for line in open(replay, encoding='utf-8'):
        rec = json.loads(line)
        if rec.get('type') != 'explanation':
            continue
        n += 1
        what = f"explanation {rec['id']} ({rec['cause']})"
        for name, needle in (('facts', line.rstrip('\n')),
                             ('text', md_escape(rec['text'])),
                             ('fix', md_escape(rec['fix'])),
                             ('heading', f"### {rec['id']}. {rec['cause']}:")):
            if needle not in md:
                print(f"not ok - {what}: its {name} is not in {report}: {needle[:200]}")
                fails += 1
    if n == 0:
        print(f"not ok - {replay} holds no explanation: nothing to compare")
        return 1
    headings = md.count('\n### ')
    if headings != n:
        print(f"not ok - {report} has {headings} explanation headings, replay has {n}")
        fails += 1
    if not fails:
        print(f"ok - {report} holds all {n} explanations of the replay (facts, text, fix)")
    return 1 if fails else 0


def hex_rgb(c):
    c = c.lstrip('#')
    return tuple(int(c[i:i + 2], 16) for i in (0, 2, 4))


def check_png(shot, groups):
    from PIL import Image
    img = Image.open(shot).convert('RGB')
    w, h = img.size
    px = img.load()
    counts = {}
    wanted = {hex_rgb(c): c for g in groups for c in g.split(',')}
    # the plot column of the timeline: right of the track labels
    for y in range(h):
        for x in range(w // 5, w):
            p = px[x, y]
            if p in wanted:
                counts[wanted[p]] = counts.get(wanted[p], 0) + 1
    fails = 0
    for g in groups:
        got = {c: counts.get(c, 0) for c in g.split(',')}
        # more than the legend's 10x10 swatch of that colour: a drawn shape
        if max(got.values()) >= LEGEND_SWATCH + 24:
            print(f"ok - the screenshot shows {g} ({got})")
        else:
            print(f"not ok - the screenshot lacks {g} ({got}, image {w}x{h})")
            fails += 1
    return 1 if fails else 0


if __name__ == '__main__':
    if len(sys.argv) >= 4 and sys.argv[1] == 'md':
        sys.exit(check_md(sys.argv[2], sys.argv[3]))
    if len(sys.argv) >= 4 and sys.argv[1] == 'png':
        sys.exit(check_png(sys.argv[2], sys.argv[3:]))
    print(__doc__, file=sys.stderr)
    sys.exit(2)
