//! Writes CAPTCHA samples for measuring a solver offline (`ops/abuse/captcha/README.md`):
//! `cargo run -p idaas-usecases --example captcha_samples -- DIR N` writes N images to DIR, each
//! named `NNNN-ANSWER.png`, and prints the mean rendering time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use idaas_usecases::captcha_image;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: captcha_samples DIR N";
    let dir = PathBuf::from(args.next().context(usage)?);
    let count: usize = args.next().context(usage)?.parse().context(usage)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut rendering = Duration::ZERO;
    for index in 0..count {
        let answer = captcha_image::answer();
        let started = Instant::now();
        let png = captcha_image::image(&answer)?;
        rendering += started.elapsed();
        let path = dir.join(format!("{index:04}-{answer}.png"));
        std::fs::write(&path, png).with_context(|| format!("writing {}", path.display()))?;
    }
    let mean = rendering.as_secs_f64() * 1000.0 / count.max(1) as f64;
    println!(
        "{count} images in {}, {mean:.3} ms each to render and encode",
        dir.display()
    );
    Ok(())
}
