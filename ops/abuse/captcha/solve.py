#!/usr/bin/env python3
"""A naive segment-and-match solver for the login CAPTCHA, the attacker's side of
commands/usecases/src/captcha_image.rs. Python 3 standard library only.

It does what a short script written against the image would do:

1. decode the grayscale PNG;
2. binarise it with one global threshold (Otsu's, or --threshold);
3. clean it: drop ink one pixel thick vertically (thin lines across the image), then specks
   (connected components under a dozen pixels);
4. segment it into glyphs by empty columns; if that does not give exactly five, by connected
   components (those of 40 pixels or more, pieces that share most of their columns joined,
   each cut into as many equal parts as glyphs of the average width it holds); failing that,
   cut the inked span into five equal slices;
5. find each glyph's box (its longest run of inked rows, its columns with more ink than a line
   passing through, a narrow one widened to the font's 5:7), lay the 5x7 grid of the font over
   it and take the template (the font copied below) with the smallest squared difference.

Usage:
    solve.py IMAGE.png ...        prints the guess for each image
    solve.py DIR                  solves DIR/NNNN-ANSWER.png (from the captcha_samples example)
                                  and prints the solve rate and the per-glyph accuracy
Options: --threshold N (0-255) instead of Otsu's; --verbose to print every guess in DIR mode.
"""

import os
import struct
import sys
import zlib

LENGTH = 5
# The 5x7 font: seven rows of five bits per digit. Both shapes the server has used for 0 and 4
# (slashed and plain zero, closed and open four) are templates.
FONT = {
    "0": [
        [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        [0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110],
    ],
    "1": [[0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110]],
    "2": [[0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111]],
    "3": [[0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110]],
    "4": [
        [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
        [0b10010, 0b10010, 0b10010, 0b11111, 0b00010, 0b00010, 0b00010],
    ],
    "5": [[0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110]],
    "6": [[0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110]],
    "7": [[0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000]],
    "8": [[0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110]],
    "9": [[0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100]],
}
TEMPLATES = [
    (digit, [float(bits >> (4 - c) & 1) for bits in rows for c in range(5)])
    for digit, shapes in FONT.items()
    for rows in shapes
]
MIN_COMPONENT = 12  # pixels: smaller connected components are noise
MIN_GLYPH = 40  # pixels: smaller components are not taken for a glyph when segmenting


def read_png(path):
    """The (width, height, rows) of an 8-bit grayscale, non-interlaced PNG."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(f"{path}: not a PNG")
    pos, idat, width, height = 8, b"", 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if (depth, color, interlace) != (8, 0, 0):
                raise ValueError(f"{path}: not 8-bit grayscale")
        elif kind == b"IDAT":
            idat += body
    raw, rows, prev, i = zlib.decompress(idat), [], [0] * width, 0
    for _ in range(height):
        kind, line = raw[i], list(raw[i + 1 : i + 1 + width])
        i += 1 + width
        for x in range(width):
            a, b = (line[x - 1] if x else 0), prev[x]
            c = prev[x - 1] if x else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return width, height, rows


def otsu(rows):
    """Otsu's threshold: the gray level that best splits the histogram in two."""
    histogram = [0] * 256
    for row in rows:
        for v in row:
            histogram[v] += 1
    total = sum(histogram)
    sum_all = sum(i * h for i, h in enumerate(histogram))
    best, best_t, weight, sum_low = -1.0, 128, 0, 0
    for t in range(256):
        weight += histogram[t]
        if weight == 0 or weight == total:
            continue
        sum_low += t * histogram[t]
        mean_low = sum_low / weight
        mean_high = (sum_all - sum_low) / (total - weight)
        between = weight * (total - weight) * (mean_low - mean_high) ** 2
        if between > best:
            best, best_t = between, t
    return best_t


def binarise(rows, threshold):
    """Ink (True) where darker than the threshold, without one-pixel-thin lines and specks."""
    ink = [[v <= threshold for v in row] for row in rows]
    height, width = len(ink), len(ink[0])
    thin = [
        [
            ink[y][x]
            and not (y > 0 and ink[y - 1][x])
            and not (y + 1 < height and ink[y + 1][x])
            for x in range(width)
        ]
        for y in range(height)
    ]
    ink = [[ink[y][x] and not thin[y][x] for x in range(width)] for y in range(height)]
    kept = [[False] * width for _ in range(height)]
    for part in components(ink):
        for x, y in part:
            kept[y][x] = True
    return kept


def components(ink):
    """The 8-connected components of ink, each a list of (x, y), specks left out."""
    height, width = len(ink), len(ink[0])
    seen = [[False] * width for _ in range(height)]
    found = []
    for y0 in range(height):
        for x0 in range(width):
            if not ink[y0][x0] or seen[y0][x0]:
                continue
            stack, pixels = [(x0, y0)], []
            seen[y0][x0] = True
            while stack:
                x, y = stack.pop()
                pixels.append((x, y))
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        nx, ny = x + dx, y + dy
                        if 0 <= nx < width and 0 <= ny < height and ink[ny][nx] and not seen[ny][nx]:
                            seen[ny][nx] = True
                            stack.append((nx, ny))
            if len(pixels) >= MIN_COMPONENT:
                found.append(pixels)
    return found


def column_segments(ink):
    """Column ranges [start, end) separated by columns without ink."""
    width = len(ink[0])
    inked = [any(row[x] for row in ink) for x in range(width)]
    segments, start = [], None
    for x, on in enumerate(inked + [False]):
        if on and start is None:
            start = x
        elif not on and start is not None:
            segments.append((start, x))
            start = None
    return segments


def split_evenly(boxes):
    """Boxes cut into LENGTH glyph boxes: each cut into as many equal parts as glyphs of the
    average width it holds."""
    average = sum(x1 - x0 for x0, x1 in boxes) / LENGTH
    counts = [max(1, round((x1 - x0) / average)) for x0, x1 in boxes]
    while sum(counts) < LENGTH:
        i = max(range(len(boxes)), key=lambda i: (boxes[i][1] - boxes[i][0]) / counts[i])
        counts[i] += 1
    while sum(counts) > LENGTH:
        i = min(
            (i for i in range(len(boxes)) if counts[i] > 1),
            key=lambda i: (boxes[i][1] - boxes[i][0]) / counts[i],
        )
        counts[i] -= 1
    glyphs = []
    for (x0, x1), n in zip(boxes, counts):
        glyphs += [(x0 + (x1 - x0) * k // n, x0 + (x1 - x0) * (k + 1) // n) for k in range(n)]
    return glyphs


def segment(ink):
    """Five glyph boxes (x0, x1) left to right, and the method that found them."""
    by_columns = column_segments(ink)
    if len(by_columns) == LENGTH:
        return by_columns, "columns"
    # Connected components big enough to be (part of) a glyph, as column ranges; ranges that
    # mostly overlap are pieces of one glyph.
    parts = sorted(
        (len(p), min(x for x, _ in p), max(x for x, _ in p) + 1)
        for p in components(ink)
        if len(p) >= MIN_GLYPH
    )
    boxes = []
    for _, x0, x1 in sorted(parts[-2 * LENGTH :], key=lambda p: p[1]):
        if boxes and min(x1, boxes[-1][1]) - x0 >= min(x1 - x0, boxes[-1][1] - boxes[-1][0]) / 2:
            boxes[-1] = (boxes[-1][0], max(x1, boxes[-1][1]))
        else:
            boxes.append((x0, x1))
    if boxes and len(boxes) <= LENGTH:
        return split_evenly(boxes), "components"
    spans = [x for row in ink for x, on in enumerate(row) if on]
    if not spans:
        return [], "empty"
    left, right = min(spans), max(spans) + 1
    step = (right - left) / LENGTH
    return [(int(left + i * step), int(left + (i + 1) * step)) for i in range(LENGTH)], "slices"


def longest_run(indices):
    """The (first, last + 1) of the longest run of consecutive numbers in sorted indices."""
    best, start = (0, 0), None
    for i, n in enumerate(indices):
        if i == 0 or n != indices[i - 1] + 1:
            start = n
        if n + 1 - start > best[1] - best[0]:
            best = (start, n + 1)
    return best


def features(ink, x0, x1):
    """The ink fraction of each cell of a 5x7 grid laid over the glyph between columns x0 and
    x1: its longest run of rows with at least two inked pixels (every row of a digit has ink, so
    a speck above or below is left out), and within those its columns with at least three inked
    pixels (not a line passing through)."""
    ys = [y for y, row in enumerate(ink) if sum(row[x0:x1]) >= 2]
    if not ys:
        return [0.0] * 35
    y0, y1 = longest_run(ys)
    xs = [x for x in range(x0, x1) if sum(ink[y][x] for y in range(y0, y1)) >= 3]
    if not xs:
        return [0.0] * 35
    x0, x1 = min(xs), max(xs) + 1
    # A glyph narrower than the font's 5:7 (a one) is centred in a box of that shape.
    wide = (y1 - y0) * 5 // 7
    if x1 - x0 < wide:
        x0 -= (wide - (x1 - x0)) // 2
        x1 = x0 + wide
    cells = []
    for r in range(7):
        ya = y0 + (y1 - y0) * r // 7
        yb = max(y0 + (y1 - y0) * (r + 1) // 7, ya + 1)
        for c in range(5):
            xa = x0 + (x1 - x0) * c // 5
            xb = max(x0 + (x1 - x0) * (c + 1) // 5, xa + 1)
            area = [
                ink[y][x]
                for y in range(ya, min(yb, y1))
                for x in range(max(xa, 0), min(xb, x1, len(ink[0])))
            ]
            cells.append(sum(area) / len(area) if area else 0.0)
    return cells


def classify(cells):
    """The digit whose template is nearest (squared difference) to the cells."""
    return min(TEMPLATES, key=lambda t: sum((a - b) ** 2 for a, b in zip(cells, t[1])))[0]


def solve(path, threshold=None):
    """The guessed answer of the CAPTCHA at path, and the segmentation method used."""
    _, _, rows = read_png(path)
    ink = binarise(rows, otsu(rows) if threshold is None else threshold)
    boxes, method = segment(ink)
    return "".join(classify(features(ink, x0, x1)) for x0, x1 in boxes), method


def main(argv):
    threshold, verbose, paths = None, False, []
    args = iter(argv)
    for arg in args:
        if arg == "--threshold":
            threshold = int(next(args))
        elif arg == "--verbose":
            verbose = True
        else:
            paths.append(arg)
    if len(paths) == 1 and os.path.isdir(paths[0]):
        directory = paths[0]
        files = sorted(f for f in os.listdir(directory) if f.endswith(".png") and "-" in f)
        solved, glyphs, methods = 0, 0, {}
        for name in files:
            answer = name[:-4].split("-", 1)[1]
            guess, method = solve(os.path.join(directory, name), threshold)
            methods[method] = methods.get(method, 0) + 1
            solved += guess == answer
            glyphs += sum(a == b for a, b in zip(guess, answer))
            if verbose:
                print(f"{name}: {guess} by {method} {'solved' if guess == answer else 'wrong'}")
        n = max(len(files), 1)
        print(f"{directory}: solved {solved}/{len(files)} ({100 * solved / n:.0f}%), "
              f"glyphs right {glyphs}/{LENGTH * len(files)} ({100 * glyphs / (LENGTH * n):.0f}%), "
              f"segmented by {methods}")
        return 0
    if not paths:
        print(__doc__, file=sys.stderr)
        return 2
    for path in paths:
        guess, method = solve(path, threshold)
        print(f"{path}: {guess} ({method})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
