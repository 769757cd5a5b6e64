//! CAPTCHA images: five digits drawn from a 5×7 bitmap font, scaled, jittered and crossed with
//! noise, encoded as a grayscale PNG. The answer is never stored, only its keyed hash (in the
//! challenge's stream, see `domain::captcha`).

use rand::Rng;

const GLYPHS: [[u8; 7]; 10] = [
    [
        0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110,
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
        0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010,
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
const WIDTH: usize = 130;
const HEIGHT: usize = 44;
const SCALE: usize = 4;
pub const LENGTH: usize = 5;

/// A random answer.
pub fn answer() -> String {
    let mut rng = rand::thread_rng();
    (0..LENGTH)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// The PNG image of `answer` (digits only).
pub fn image(answer: &str) -> anyhow::Result<Vec<u8>> {
    let mut rng = rand::thread_rng();
    let mut pixels = vec![235u8; WIDTH * HEIGHT];
    for _ in 0..400 {
        let (x, y) = (rng.gen_range(0..WIDTH), rng.gen_range(0..HEIGHT));
        pixels[y * WIDTH + x] = rng.gen_range(120..200);
    }
    for (i, digit) in answer.bytes().enumerate() {
        let glyph = GLYPHS[usize::from(digit.saturating_sub(b'0')).min(9)];
        let left = 8 + i * 24 + rng.gen_range(0..4);
        let top = rng.gen_range(2..(HEIGHT - 7 * SCALE - 1));
        let shade = rng.gen_range(20..90);
        for (row, bits) in glyph.iter().enumerate() {
            for col in 0..5 {
                if bits & (0b10000 >> col) == 0 {
                    continue;
                }
                let skew = row / 3;
                for dy in 0..SCALE {
                    for dx in 0..SCALE {
                        let x = left + col * SCALE + dx + skew;
                        let y = top + row * SCALE + dy;
                        if x < WIDTH && y < HEIGHT {
                            pixels[y * WIDTH + x] = shade;
                        }
                    }
                }
            }
        }
    }
    for _ in 0..3 {
        let (mut y, slope) = (
            rng.gen_range(5..HEIGHT - 5) as f32,
            rng.gen_range(-0.3..0.3f32),
        );
        for x in 0..WIDTH {
            y = (y + slope).clamp(0.0, (HEIGHT - 1) as f32);
            pixels[y as usize * WIDTH + x] = 60;
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH as u32, HEIGHT as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&pixels)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_image_is_a_png_of_the_right_size() {
        let answer = answer();
        assert_eq!(answer.len(), LENGTH);
        let png = image(&answer).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(&png[..]);
        let reader = decoder.read_info().unwrap();
        assert_eq!(reader.info().width as usize, WIDTH);
    }
}
