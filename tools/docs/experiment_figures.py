#!/usr/bin/env python3
"""Makes the README's figure of each experiment report: its accuracy panels (the report's
``panel_<metric>_NN.png``, one per run, shared axes) side by side in one grid image, as the
articles show their studies, scaled to half size and reduced to a palette to stay small.

Usage: experiment_figures.py REPORT_DIR [REPORT_DIR...] --out docs/figures [--metric val_accuracy]
Each REPORT_DIR is an ``experiment`` (or ``sweep``) report; the figure is named after the
report's folder (``docs/figures/seed004-rates.png``).
"""
import argparse
import sys
from pathlib import Path

from PIL import Image


def grid(panels: list[Path], columns: int, scale: float) -> Image.Image:
    images = [Image.open(p).convert("RGB") for p in panels]
    width, height = images[0].size
    w, h = int(width * scale), int(height * scale)
    rows = (len(images) + columns - 1) // columns
    sheet = Image.new("RGB", (w * min(columns, len(images)), h * rows), "white")
    for i, image in enumerate(images):
        sheet.paste(image.resize((w, h), Image.LANCZOS), ((i % columns) * w, (i // columns) * h))
    return sheet.quantize(colors=96, method=Image.Quantize.MEDIANCUT)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("reports", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--metric", default="accuracy",
                        help="which panels: the report's panel_<metric>_NN.png (default accuracy)")
    parser.add_argument("--columns", type=int, default=4)
    parser.add_argument("--scale", type=float, default=0.5)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for report in args.reports:
        panels = sorted(report.glob(f"panel_{args.metric}_*.png"))
        if not panels:
            print(f"experiment_figures: no panel_{args.metric}_*.png in {report}", file=sys.stderr)
            return 2
        target = args.out / f"{report.name}.png"
        grid(panels, args.columns, args.scale).save(target, optimize=True)
        print(f"{target}: {len(panels)} panels, {target.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
