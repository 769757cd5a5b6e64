//! Tests of the CAPTCHA image: what it is (a PNG of the right size, five digits), and what a
//! segment-and-match script finds in it, measured on seeded pictures. The figures asserted are
//! what 200 pictures give, with a margin; `ops/abuse/captcha/` measures the script itself.

use std::sync::OnceLock;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::render::{render, Drawing, HEIGHT, WIDTH};
use super::*;

/// 200 pictures of random answers from a fixed seed, so the figures below do not flicker; drawn
/// once for all the tests.
fn drawings() -> &'static [Drawing] {
    static DRAWINGS: OnceLock<Vec<Drawing>> = OnceLock::new();
    DRAWINGS.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(0x00ca_7c4a);
        (0..200)
            .map(|_| {
                let digits: Vec<usize> = (0..LENGTH).map(|_| rng.gen_range(0..10)).collect();
                render(&digits, &mut rng)
            })
            .collect()
    })
}

/// Runs of columns holding ink, as column-gap segmentation finds glyphs.
fn column_runs(inked: &[bool]) -> usize {
    let columns: Vec<bool> = (0..WIDTH)
        .map(|x| (0..HEIGHT).any(|y| inked[y * WIDTH + x]))
        .collect();
    columns
        .iter()
        .zip(std::iter::once(&false).chain(&columns))
        .filter(|(on, before)| **on && !**before)
        .count()
}

/// The sizes of the 8-connected components of ink.
fn components(inked: &[bool]) -> Vec<usize> {
    let mut seen = vec![false; inked.len()];
    let mut sizes = Vec::new();
    for start in 0..inked.len() {
        if !inked[start] || seen[start] {
            continue;
        }
        seen[start] = true;
        let (mut stack, mut size) = (vec![start], 0);
        while let Some(i) = stack.pop() {
            size += 1;
            let (x, y) = ((i % WIDTH) as i64, (i / WIDTH) as i64);
            for (dx, dy) in (-1..=1).flat_map(|dx| (-1..=1).map(move |dy| (dx, dy))) {
                let (nx, ny) = (x + dx, y + dy);
                if nx < 0 || ny < 0 || nx >= WIDTH as i64 || ny >= HEIGHT as i64 {
                    continue;
                }
                let n = ny as usize * WIDTH + nx as usize;
                if inked[n] && !seen[n] {
                    seen[n] = true;
                    stack.push(n);
                }
            }
        }
        sizes.push(size);
    }
    sizes
}

/// The least share of pixels any one global threshold gets wrong: the ink lighter than it plus
/// the paper darker than it, each as a share of its own kind.
fn best_threshold_error(drawing: &Drawing) -> f64 {
    let (mut ink, mut paper) = ([0usize; 256], [0usize; 256]);
    for (&v, &inked) in drawing.pixels.iter().zip(&drawing.inked) {
        if inked {
            ink[usize::from(v)] += 1;
        } else {
            paper[usize::from(v)] += 1;
        }
    }
    let (ink_total, paper_total) = (ink.iter().sum::<usize>(), paper.iter().sum::<usize>());
    (0..256)
        .map(|t| {
            let ink_lighter: usize = ink[t..].iter().sum();
            let paper_darker: usize = paper[..t].iter().sum();
            ink_lighter as f64 / ink_total as f64 + paper_darker as f64 / paper_total as f64
        })
        .fold(f64::MAX, f64::min)
}

/// How many of `drawings` pass `test`.
fn count(drawings: &[Drawing], test: impl Fn(&Drawing) -> bool) -> usize {
    drawings.iter().filter(|d| test(d)).count()
}

/// Components big enough not to be taken for specks.
fn glyph_sized(inked: &[bool]) -> usize {
    components(inked).into_iter().filter(|&s| s >= 12).count()
}

#[test]
fn an_image_is_a_grayscale_png_of_130_by_44() {
    let png = image(&answer()).unwrap();
    let mut reader = png::Decoder::new(&png[..]).read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((frame.width, frame.height), (130, 44));
    assert_eq!(frame.color_type, png::ColorType::Grayscale);
    assert_eq!(frame.bit_depth, png::BitDepth::Eight);
    assert_eq!(frame.buffer_size(), WIDTH * HEIGHT);
}

#[test]
fn an_answer_is_five_decimal_digits_and_every_digit_turns_up() {
    let answers: Vec<String> = (0..500).map(|_| answer()).collect();
    for answer in &answers {
        assert_eq!(answer.len(), LENGTH, "{answer}");
        assert!(answer.bytes().all(|b| b.is_ascii_digit()), "{answer}");
    }
    for digit in '0'..='9' {
        assert!(
            answers.iter().any(|a| a.contains(digit)),
            "{digit} never drawn"
        );
    }
}

#[test]
fn an_answer_of_anything_but_ascii_digits_is_not_drawn() {
    for answer in [
        "",
        "12a45",
        "1234 ",
        "\u{ff11}\u{ff12}\u{ff13}\u{ff14}\u{ff15}",
    ] {
        assert!(image(answer).is_err(), "{answer:?}");
    }
    assert!(image("0123456789").is_ok());
}

#[test]
fn column_gaps_almost_never_part_the_picture_into_five_glyphs() {
    let drawings = drawings();
    // Even binarised perfectly: the clutter crosses every gap...
    assert!(count(drawings, |d| column_runs(&d.inked) == LENGTH) <= 2);
    // ...and the glyphs alone, rotated and sheared, share columns with their neighbours.
    assert!(count(drawings, |d| column_runs(&d.glyph_inked) == LENGTH) <= 10);
}

#[test]
fn connected_components_almost_never_are_the_five_glyphs() {
    let drawings = drawings();
    assert!(count(drawings, |d| glyph_sized(&d.inked) == LENGTH) <= 2);
}

#[test]
fn no_one_threshold_parts_ink_from_paper() {
    for drawing in drawings() {
        let error = best_threshold_error(drawing);
        assert!(error >= 0.1, "a threshold gets only {error:.3} wrong");
    }
}

#[test]
fn glyph_ink_is_never_one_constant_shade() {
    for drawing in &drawings()[..20] {
        let mut shades = [0usize; 256];
        for (&v, _) in drawing
            .pixels
            .iter()
            .zip(&drawing.inked)
            .filter(|(_, &i)| i)
        {
            shades[usize::from(v)] += 1;
        }
        let (total, commonest) = (shades.iter().sum::<usize>(), shades.iter().max().unwrap());
        assert!(
            commonest * 20 < total,
            "{commonest} of {total} ink pixels share a shade"
        );
        assert!(shades.iter().filter(|&&n| n > 0).count() > 100);
    }
}

#[test]
fn glyphs_stay_inside_the_picture() {
    let on_border = |d: &Drawing| {
        (0..WIDTH * HEIGHT).any(|i| {
            let (x, y) = (i % WIDTH, i / WIDTH);
            d.glyph_inked[i] && (x == 0 || y == 0 || x == WIDTH - 1 || y == HEIGHT - 1)
        })
    };
    assert!(count(drawings(), on_border) <= 6);
}
