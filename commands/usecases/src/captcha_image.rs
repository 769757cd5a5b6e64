//! CAPTCHA images: five digits drawn with a pen through a 5×7 font, each glyph rotated, sheared
//! and scaled on its own and set so close that it shares columns with its neighbours, crossed by
//! clutter in the same ink, bent by a sine displacement field and unevenly lit; a grayscale PNG
//! of 130×44 pixels. The answer is never stored, only its keyed hash (in the challenge's stream,
//! see `domain::captcha`).
//!
//! The answer stays five digits: the hosted login asks for it with a numeric keypad, and a
//! five-digit answer is what the end-to-end tests recover from the stored hash. Why the drawing
//! looks the way it does, and the script it is measured against: `ops/abuse/captcha/README.md`.

mod font;
mod render;

use anyhow::Context;
use rand::Rng;

/// The number of digits in an answer.
pub const LENGTH: usize = 5;

/// A random answer: [`LENGTH`] decimal digits.
pub fn answer() -> String {
    let mut rng = rand::thread_rng();
    (0..LENGTH)
        .map(|_| char::from(b'0' + rng.gen_range(0..10u8)))
        .collect()
}

/// The PNG image of `answer`: one or more ASCII digits (anything else is an error).
pub fn image(answer: &str) -> anyhow::Result<Vec<u8>> {
    let digits = answer
        .chars()
        .map(|c| c.to_digit(10).map(|d| d as usize))
        .collect::<Option<Vec<usize>>>()
        .filter(|digits| !digits.is_empty())
        .context("a CAPTCHA answer is one or more digits")?;
    let drawing = render::render(&digits, &mut rand::thread_rng());
    encode(&drawing.pixels)
}

/// The PNG encoding of grayscale `pixels` of the CAPTCHA's size.
fn encode(pixels: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, render::WIDTH as u32, render::HEIGHT as u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().context("a CAPTCHA PNG header")?;
        writer
            .write_image_data(pixels)
            .context("CAPTCHA PNG pixels")?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
