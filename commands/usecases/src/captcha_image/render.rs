//! Drawing a CAPTCHA: the answer's glyphs as pen strokes, each rotated, sheared and scaled on its
//! own and set so that it touches its neighbours; pen strokes of clutter (curves across the whole
//! image, short arcs) in the same ink with a slightly finer pen; then the whole picture bent by a
//! sine displacement field, lit unevenly, and sprinkled with noise.
//!
//! Each defeats one step of a segment-and-match script: touching glyphs and clutter that crosses
//! them leave no empty column and no connected component per glyph; rotation, shear, scale and the
//! warp leave no glyph that scales back to its 5×7 template; uneven light leaves no one threshold
//! between ink and paper, and no shade of ink that is the same all over.

use std::f32::consts::PI;

use rand::Rng;

use super::font::{self, COLUMNS, ROWS};

/// Image width in pixels (the login form shows the image at this size).
pub(super) const WIDTH: usize = 130;
/// Image height in pixels.
pub(super) const HEIGHT: usize = 44;

/// A point in pixel coordinates.
type Point = (f32, f32);

/// A sine wave `amplitude · sin(frequency · t + phase)`.
#[derive(Clone, Copy)]
struct Wave {
    amplitude: f32,
    frequency: f32,
    phase: f32,
}

impl Wave {
    /// A wave of amplitude in `amplitude` and wavelength (pixels) in `wavelength`, random phase.
    fn random(
        rng: &mut impl Rng,
        amplitude: std::ops::Range<f32>,
        wavelength: std::ops::Range<f32>,
    ) -> Self {
        Wave {
            amplitude: rng.gen_range(amplitude),
            frequency: 2.0 * PI / rng.gen_range(wavelength),
            phase: rng.gen_range(0.0..2.0 * PI),
        }
    }

    /// The wave's value at `t`.
    fn at(&self, t: f32) -> f32 {
        self.amplitude * (self.frequency * t + self.phase).sin()
    }
}

/// A straight piece of pen stroke with its direction and squared length precomputed.
struct Segment {
    from: Point,
    direction: Point,
    length_squared: f32,
}

impl Segment {
    fn new(from: Point, to: Point) -> Self {
        let direction = (to.0 - from.0, to.1 - from.1);
        Segment {
            from,
            direction,
            length_squared: direction.0 * direction.0 + direction.1 * direction.1,
        }
    }

    /// The squared distance from `p` to the nearest point of the segment.
    fn distance_squared(&self, p: Point) -> f32 {
        let (dx, dy) = (p.0 - self.from.0, p.1 - self.from.1);
        let t = if self.length_squared > 0.0 {
            ((dx * self.direction.0 + dy * self.direction.1) / self.length_squared).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (ex, ey) = (dx - t * self.direction.0, dy - t * self.direction.1);
        ex * ex + ey * ey
    }
}

/// One pen-drawn shape (a glyph or a piece of clutter): its segments, pen radius and the box
/// outside which it leaves no ink.
struct Shape {
    segments: Vec<Segment>,
    radius: f32,
    min: Point,
    max: Point,
}

impl Shape {
    /// The shape drawn through `pieces`, each the two ends of a straight segment.
    fn new(pieces: impl IntoIterator<Item = (Point, Point)>, radius: f32) -> Self {
        let segments: Vec<Segment> = pieces
            .into_iter()
            .map(|(a, b)| Segment::new(a, b))
            .collect();
        let reach = radius * THICKEST + 1.0;
        let (mut min, mut max) = ((f32::MAX, f32::MAX), (f32::MIN, f32::MIN));
        for s in &segments {
            for (x, y) in [s.from, (s.from.0 + s.direction.0, s.from.1 + s.direction.1)] {
                min = (min.0.min(x - reach), min.1.min(y - reach));
                max = (max.0.max(x + reach), max.1.max(y + reach));
            }
        }
        Shape {
            segments,
            radius,
            min,
            max,
        }
    }

    /// How much of the pixel at `p` the shape inks (0 to 1, edges anti-aliased) with the pen
    /// widened by `thickness`.
    fn coverage(&self, p: Point, thickness: f32) -> f32 {
        if p.0 < self.min.0 || p.0 > self.max.0 || p.1 < self.min.1 || p.1 > self.max.1 {
            return 0.0;
        }
        let nearest = self
            .segments
            .iter()
            .map(|s| s.distance_squared(p))
            .fold(f32::MAX, f32::min);
        (self.radius * thickness + 0.5 - nearest.sqrt()).clamp(0.0, 1.0)
    }
}

/// The most the thickness field widens a pen (see [`Picture::thickness`]).
const THICKEST: f32 = 1.3;

/// The shapes of `digits`, laid out left to right so close that neighbours share columns and
/// often touch.
fn glyphs(digits: &[usize], rng: &mut impl Rng) -> Vec<Shape> {
    let count = digits.len().max(1) as f32;
    let advance = rng
        .gen_range(21.0f32..23.0)
        .min((WIDTH as f32 - 26.0) / count);
    let mut x = (WIDTH as f32 - advance * (count - 1.0)) / 2.0 + rng.gen_range(-3.0..3.0);
    let mut shapes = Vec::with_capacity(digits.len());
    for &digit in digits {
        let (cell_x, cell_y) = (rng.gen_range(3.4..4.4), rng.gen_range(3.6..4.4));
        let angle: f32 = rng.gen_range(-0.28..0.28);
        let shear: f32 = rng.gen_range(-0.25..0.25);
        let centre = (x, HEIGHT as f32 / 2.0 + rng.gen_range(-2.5..2.5));
        let (sin, cos) = angle.sin_cos();
        let place = |(c, r): (f32, f32)| {
            let u = (c - (COLUMNS - 1) as f32 / 2.0) * cell_x;
            let v = (r - (ROWS - 1) as f32 / 2.0) * cell_y;
            let u = u + shear * v;
            (centre.0 + u * cos - v * sin, centre.1 + u * sin + v * cos)
        };
        let pieces = font::strokes(digit)
            .into_iter()
            .map(|s| (place(s.from), place(s.to)));
        shapes.push(Shape::new(pieces, rng.gen_range(1.15..1.8)));
        x += advance + rng.gen_range(-1.5..1.5);
    }
    shapes
}

/// Clutter in the same ink as the glyphs, with a pen a little finer: two curves from edge to edge
/// through the glyphs' band, and up to two short arcs like pieces of glyphs.
fn clutter(rng: &mut impl Rng) -> Vec<Shape> {
    let mut shapes = Vec::with_capacity(5);
    for pen in [0.65..0.95, 0.5..0.75] {
        let wave = Wave::random(rng, 3.0..8.0, 50.0..140.0);
        let (start, end) = (
            rng.gen_range(10.0..HEIGHT as f32 - 10.0),
            rng.gen_range(10.0..HEIGHT as f32 - 10.0),
        );
        let at = |x: f32| (x, start + (end - start) * x / WIDTH as f32 + wave.at(x));
        let pieces = (0..26).map(|i| (at(i as f32 * 5.0 - 2.0), at(i as f32 * 5.0 + 3.0)));
        shapes.push(Shape::new(pieces, rng.gen_range(pen)));
    }
    for _ in 0..rng.gen_range(0..3) {
        let centre = (
            rng.gen_range(0.0..WIDTH as f32),
            rng.gen_range(0.0..HEIGHT as f32),
        );
        let radius = rng.gen_range(4.0..8.0);
        let (start, sweep) = (rng.gen_range(0.0..2.0 * PI), rng.gen_range(1.2..2.6));
        let at = |t: f32| {
            let a = start + sweep * t;
            (centre.0 + radius * a.cos(), centre.1 + radius * a.sin())
        };
        let pieces = (0..8).map(|i| (at(i as f32 / 8.0), at((i + 1) as f32 / 8.0)));
        shapes.push(Shape::new(pieces, rng.gen_range(0.7..1.1)));
    }
    shapes
}

/// Everything random about one picture besides its shapes: the warp, pen and shading fields.
struct Picture {
    /// Horizontal displacement as a function of y, and of x.
    warp_x: [Wave; 2],
    /// Vertical displacement as a function of x (bends the baseline), and of y.
    warp_y: [Wave; 2],
    /// Pen width along the strokes.
    pen: [Wave; 2],
    /// Light falling on the paper: one broad swing from dark to light, one ripple.
    light: [Wave; 2],
    /// How much darker the ink is than the paper under it.
    contrast: Wave,
}

impl Picture {
    fn random(rng: &mut impl Rng) -> Self {
        Picture {
            warp_x: [
                Wave::random(rng, 1.0..2.2, 16.0..30.0),
                Wave::random(rng, 0.5..1.5, 25.0..45.0),
            ],
            warp_y: [
                Wave::random(rng, 1.5..3.0, 45.0..90.0),
                Wave::random(rng, 0.4..1.2, 14.0..24.0),
            ],
            pen: [
                Wave::random(rng, 0.1..0.2, 10.0..22.0),
                Wave::random(rng, 0.05..0.1, 8.0..16.0),
            ],
            light: [
                Wave::random(rng, 45.0..55.0, 100.0..160.0),
                Wave::random(rng, 4.0..8.0, 20.0..40.0),
            ],
            contrast: Wave::random(rng, 8.0..14.0, 30.0..70.0),
        }
    }

    /// Where the pixel at (`x`, `y`) is drawn from: a smooth, non-linear displacement.
    fn warp(&self, x: f32, y: f32) -> Point {
        (
            x + self.warp_x[0].at(y) + self.warp_x[1].at(x),
            y + self.warp_y[0].at(x) + self.warp_y[1].at(y),
        )
    }

    /// How much the pen is widened at `p` (between about 0.7 and [`THICKEST`]).
    fn thickness(&self, p: Point) -> f32 {
        1.0 + self.pen[0].at(p.0 + 0.5 * p.1) + self.pen[1].at(p.1 - 0.3 * p.0)
    }

    /// Brightness of the paper and of the ink at (`x`, `y`). The light swings so far across the
    /// image that the paper in its dark part is darker than the ink in its light part: the ink
    /// stands out from the paper around it, but no one threshold parts them everywhere.
    fn shades(&self, x: f32, y: f32) -> (f32, f32) {
        let paper = 188.0 + self.light[0].at(x + 0.3 * y) + self.light[1].at(y - 0.5 * x);
        (paper, paper - 92.0 - self.contrast.at(x - 0.8 * y))
    }
}

/// A picture: its grayscale pixels, row by row, `WIDTH` × `HEIGHT`. Tests also get which pixels
/// are mostly ink, of anything and of the glyphs alone, to measure what a script could make of
/// a perfect binarisation.
pub(super) struct Drawing {
    pub pixels: Vec<u8>,
    #[cfg(test)]
    pub inked: Vec<bool>,
    #[cfg(test)]
    pub glyph_inked: Vec<bool>,
}

/// The picture of `digits` (each 0–9).
pub(super) fn render(digits: &[usize], rng: &mut impl Rng) -> Drawing {
    let glyphs = glyphs(digits, rng);
    let clutter = clutter(rng);
    let picture = Picture::random(rng);
    let mut pixels = Vec::with_capacity(WIDTH * HEIGHT);
    #[cfg(test)]
    let (mut inked, mut glyph_inked) = (Vec::new(), Vec::new());
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let (x, y) = (x as f32, y as f32);
            let source = picture.warp(x, y);
            let thickness = picture.thickness(source);
            let cover = |shapes: &[Shape]| {
                shapes
                    .iter()
                    .map(|s| s.coverage(source, thickness))
                    .fold(0.0, f32::max)
            };
            let (glyph_cover, clutter_cover) = (cover(&glyphs), cover(&clutter));
            let cover = glyph_cover.max(clutter_cover);
            let (paper, ink) = picture.shades(x, y);
            let shade = paper + (ink - paper) * cover + rng.gen_range(-12.0..12.0);
            pixels.push(shade.clamp(0.0, 255.0) as u8);
            #[cfg(test)]
            {
                inked.push(cover >= 0.5);
                glyph_inked.push(glyph_cover >= 0.5);
            }
        }
    }
    Drawing {
        pixels,
        #[cfg(test)]
        inked,
        #[cfg(test)]
        glyph_inked,
    }
}
