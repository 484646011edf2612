#!/usr/bin/env python3
"""Draws the README's scale chart (SVG) from the CSV that ConfigApiScale writes.

    python3 docs/bench/render-scale-chart.py target/bench/config-api-scale.csv \
        docs/bench/config-api-scale.svg

List latency (p50, ms) against the number of token policies stored, both axes logarithmic:
the config API listing every policy (GET config/tokenPolicies, pages of 1,000 above 1,000),
Keycloak's own admin API listing every client scope on the same server
(GET /admin/realms/{realm}/client-scopes), and the config API's page of 20. The benchmark
(mvn -Pbench verify -Dbench=scale) runs this script at its end. Python's standard library only.
"""
import csv
import math
import sys

SERIES = [
    # (CSV series, legend, colour, dashed)
    ("ours_list_all", "config API: every policy (GET config/tokenPolicies, pages of 1,000)", "#3274d9", False),
    ("keycloak_client_scopes", "Keycloak admin API: every client scope (GET /admin/realms/{realm}/client-scopes)",
     "#e0b400", False),
    ("ours_page20_first", "config API: one page of 20 (first=0&max=20)", "#56a64b", True),
]
# where each series writes its values: above, below, or right of the point (they often meet)
LABEL_OFFSET = {"ours_list_all": (6, -8), "keycloak_client_scopes": (6, 16), "ours_page20_first": (-30, 16)}


def read(path):
    header_notes, rows = [], []
    with open(path, encoding="utf-8") as f:
        lines = []
        for line in f:
            if line.startswith("#"):
                header_notes.append(line[1:].strip())
            elif line.strip():
                lines.append(line)
    for row in csv.DictReader(lines):
        rows.append(row)
    return header_notes, rows


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def decades(lo, hi):
    """Powers of ten from below lo to above hi."""
    a, b = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if a == b:
        b += 1
    return [10 ** e for e in range(a, b + 1)]


def label(v):
    if v >= 1:
        return f"{v:,.0f}"
    return f"{v:g}"


def main(csv_path, out_path):
    notes, rows = read(csv_path)
    points = {}
    for key, *_ in SERIES:
        pts = sorted((int(r["n"]), float(r["p50_ms"]), float(r["p99_ms"]))
                     for r in rows if r["series"] == key and r["p50_ms"] not in ("", "NaN"))
        if pts:
            points[key] = pts
    if not points:
        sys.exit(f"no list series in {csv_path}")
    ns = [n for pts in points.values() for n, _, _ in pts]
    ms = [v for pts in points.values() for _, v, _ in pts]
    xs, ys = decades(min(ns), max(ns)), decades(min(ms), max(ms))

    width, height = 960, 580
    left, right, top, bottom = 80, 70, 86, 170
    pw, ph = width - left - right, height - top - bottom

    def px(n):
        return left + pw * (math.log10(n) - math.log10(xs[0])) / (math.log10(xs[-1]) - math.log10(xs[0]))

    def py(v):
        return top + ph - ph * (math.log10(v) - math.log10(ys[0])) / (math.log10(ys[-1]) - math.log10(ys[0]))

    body = [f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="#181b1f" stroke="#2c3235"/>']
    for x in xs:
        body.append(f'<line x1="{px(x):.1f}" y1="{top}" x2="{px(x):.1f}" y2="{top + ph}" class="grid"/>')
        body.append(f'<text x="{px(x):.1f}" y="{top + ph + 18}" class="tick" text-anchor="middle">{label(x)}</text>')
    for y in ys:
        body.append(f'<line x1="{left}" y1="{py(y):.1f}" x2="{left + pw}" y2="{py(y):.1f}" class="grid"/>')
        body.append(f'<text x="{left - 8}" y="{py(y) + 4:.1f}" class="tick" text-anchor="end">{label(y)}</text>')
    body.append(f'<text x="{left + pw / 2}" y="{top + ph + 40}" class="axis" text-anchor="middle">'
                f'token policies stored in the realm (log scale)</text>')
    body.append(f'<text x="20" y="{top + ph / 2}" class="axis" text-anchor="middle" '
                f'transform="rotate(-90 20 {top + ph / 2})">p50 latency, ms (log scale)</text>')
    legend_y = top + ph + 66
    for i, (key, name, colour, dashed) in enumerate(SERIES):
        pts = points.get(key)
        if not pts:
            continue
        dash = ' stroke-dasharray="6 4"' if dashed else ""
        path = " ".join(f"{'M' if j == 0 else 'L'}{px(n):.1f},{py(v):.1f}" for j, (n, v, _) in enumerate(pts))
        body.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dash}/>')
        for n, v, p99 in pts:
            body.append(f'<circle cx="{px(n):.1f}" cy="{py(v):.1f}" r="4" fill="{colour}">'
                        f'<title>{esc(name)}: N={n:,} p50 {v:.2f} ms, p99 {p99:.2f} ms</title></circle>')
            dx, dy = LABEL_OFFSET.get(key, (6, -8))
            if px(n) + dx < left + 4:
                dx, dy = 6, dy + 12
            body.append(f'<text x="{px(n) + dx:.1f}" y="{py(v) + dy:.1f}" class="value" '
                        f'fill="{colour}">{v:.1f}</text>')
        ly = legend_y + i * 20
        body.append(f'<line x1="{left}" y1="{ly - 4}" x2="{left + 30}" y2="{ly - 4}" stroke="{colour}" '
                    f'stroke-width="2.5"{dash}/>')
        body.append(f'<text x="{left + 40}" y="{ly}" class="label">{esc(name)}</text>')
    note = notes[0] if notes else ""
    sub = ("docs/bench/render-scale-chart.py from the CSV of ConfigApiScale (mvn -Pbench verify -Dbench=scale): "
           "one server, a realm per N, sequential requests.")
    svg = f'''<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">
<style>
text {{ font-family: Inter, Helvetica, Arial, sans-serif; }}
.head {{ fill: #ccccdc; font-size: 18px; font-weight: 600; }}
.sub {{ fill: #9fa7b3; font-size: 12px; }}
.tick {{ fill: #9fa7b3; font-size: 12px; }}
.axis {{ fill: #ccccdc; font-size: 13px; }}
.label {{ fill: #ccccdc; font-size: 13px; }}
.value {{ font-size: 11px; }}
.grid {{ stroke: #2c3235; stroke-width: 1; }}
</style>
<rect width="100%" height="100%" fill="#111217"/>
<text x="12" y="28" class="head">List latency against the number of token policies: config API vs Keycloak's admin API</text>
<text x="12" y="48" class="sub">{esc(sub)}</text>
<text x="12" y="64" class="sub">{esc(note)}</text>
{chr(10).join(body)}
</svg>
'''
    with open(out_path, "w", encoding="utf-8") as f:
        f.write(svg)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
