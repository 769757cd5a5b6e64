//! The 5×7 digit font and the pen strokes drawn through it. A glyph is not stamped as square
//! cells (a script matches those against the font pixel for pixel) but drawn as strokes between
//! the centres of neighbouring inked cells, so that it can be rotated, sheared, warped and given
//! any stroke width before it becomes pixels.

/// The ten digits: seven rows of five bits, top row first, the leftmost column in the high bit.
/// The zero has no slash and the four an open top: warped and crossed by clutter, a slashed zero
/// reads as an eight and a closed four as an A.
pub(super) const GLYPHS: [[u8; 7]; 10] = [
    [
        0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110,
    ],
    [
        0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110,
    ],
    [
        0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111,
    ],
    [
        0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110,
    ],
    [
        0b10010, 0b10010, 0b10010, 0b11111, 0b00010, 0b00010, 0b00010,
    ],
    [
        0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110,
    ],
    [
        0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110,
    ],
    [
        0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000,
    ],
    [
        0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110,
    ],
    [
        0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100,
    ],
];

/// Columns of the font.
pub(super) const COLUMNS: usize = 5;
/// Rows of the font.
pub(super) const ROWS: usize = 7;

/// A pen stroke from one cell centre to another, in cell units: `(column, row)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Stroke {
    pub from: (f32, f32),
    pub to: (f32, f32),
}

/// Whether the cell at `column`, `row` of `digit` is inked (cells outside the grid are not).
fn inked(digit: usize, column: i32, row: i32) -> bool {
    if !(0..COLUMNS as i32).contains(&column) || !(0..ROWS as i32).contains(&row) {
        return false;
    }
    GLYPHS[digit][row as usize] & (0b10000 >> column) != 0
}

/// The strokes of `digit` (0–9): a line between every two inked cells side by side or one above
/// the other, a diagonal between two inked cells that touch only at a corner (a diagonal next to
/// an inked corner cell would only thicken the elbow), and a dot for a cell with no inked
/// neighbour.
pub(super) fn strokes(digit: usize) -> Vec<Stroke> {
    let mut strokes = Vec::with_capacity(24);
    let point = |c: i32, r: i32| (c as f32, r as f32);
    for r in 0..ROWS as i32 {
        for c in 0..COLUMNS as i32 {
            if !inked(digit, c, r) {
                continue;
            }
            let mut joined = false;
            for (dc, dr) in [(1, 0), (0, 1), (1, 1), (-1, 1)] {
                if !inked(digit, c + dc, r + dr) {
                    continue;
                }
                let diagonal = dc != 0 && dr != 0;
                if diagonal && (inked(digit, c + dc, r) || inked(digit, c, r + dr)) {
                    continue;
                }
                strokes.push(Stroke {
                    from: point(c, r),
                    to: point(c + dc, r + dr),
                });
                joined = true;
            }
            let neighbour = (-1..=1)
                .flat_map(|dc| (-1..=1).map(move |dr| (dc, dr)))
                .any(|(dc, dr)| (dc, dr) != (0, 0) && inked(digit, c + dc, r + dr));
            if !joined && !neighbour {
                strokes.push(Stroke {
                    from: point(c, r),
                    to: point(c, r),
                });
            }
        }
    }
    strokes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(digit: usize) -> Vec<(f32, f32)> {
        strokes(digit).iter().flat_map(|s| [s.from, s.to]).collect()
    }

    #[test]
    fn every_inked_cell_is_on_a_stroke_and_every_stroke_ends_on_ink() {
        for digit in 0..10 {
            let ends = ends(digit);
            for r in 0..ROWS as i32 {
                for c in 0..COLUMNS as i32 {
                    let on_stroke = ends.contains(&(c as f32, r as f32));
                    assert_eq!(on_stroke, inked(digit, c, r), "digit {digit} at ({c}, {r})");
                }
            }
        }
    }

    #[test]
    fn strokes_join_neighbouring_cells_only() {
        for digit in 0..10 {
            for s in strokes(digit) {
                let (dc, dr) = (s.to.0 - s.from.0, s.to.1 - s.from.1);
                assert!(dc.abs() <= 1.0 && (0.0..=1.0).contains(&dr), "{s:?}");
            }
        }
    }
}
