//! The side-by-side plot: throughput against concurrency, one line per series, client
//! credentials on the left and the code flow on the right, as a PNG. Text is drawn with a
//! TrueType font read at run time (`IDAAS_BENCH_FONT`, by default DejaVu Sans from Debian's
//! `fonts-dejavu-core`), so no system font lookup is needed and no font is committed.

use std::path::Path;
use std::sync::OnceLock;

use anyhow::{anyhow, Context as _};
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};

use crate::peer::{Figure, Figures, Point, PEER};

const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
const SIZE: (u32, u32) = (1400, 560);

/// Registers the font as `sans-serif` once; an error names the file.
fn font() -> anyhow::Result<()> {
    static LOADED: OnceLock<Result<(), String>> = OnceLock::new();
    let loaded = LOADED.get_or_init(|| {
        let path = std::env::var("IDAAS_BENCH_FONT").unwrap_or_else(|_| DEFAULT_FONT.into());
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("font {path}: {e} (apt-get install fonts-dejavu-core)"))?;
        // plotters keeps a font for the life of the program.
        register_font(
            "sans-serif",
            FontStyle::Normal,
            Box::leak(bytes.into_boxed_slice()),
        )
        .map_err(|_| format!("font {path}: not a TrueType/OpenType font"))
    });
    loaded.clone().map_err(|e| anyhow!(e))
}

/// A colour per series: idaas in blues and greens (darker for PostgreSQL), the peer in red.
fn colour(operation: &str, engine: &str) -> RGBColor {
    use crate::peer::{CODE, MANAGEMENT, OAUTH_OPAQUE};
    match (engine, operation) {
        (PEER, _) => RGBColor(0xd6, 0x27, 0x28),
        ("SQLite", op) if op == OAUTH_OPAQUE => RGBColor(0x94, 0x67, 0xbd),
        (_, op) if op == OAUTH_OPAQUE => RGBColor(0x4b, 0x2a, 0x6e),
        ("SQLite", op) if op == MANAGEMENT || op == CODE => RGBColor(0x1f, 0x77, 0xb4),
        ("SQLite", _) => RGBColor(0x2c, 0xa0, 0x2c),
        (_, op) if op == MANAGEMENT || op == CODE => RGBColor(0x0b, 0x2e, 0x6b),
        _ => RGBColor(0x0f, 0x55, 0x0f),
    }
}

/// Writes the PNG.
pub fn draw(figures: &Figures, path: &Path) -> anyhow::Result<()> {
    font()?;
    let root = BitMapBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE).map_err(|e| anyhow!("{e}"))?;
    let (left, right) = root.split_horizontally(SIZE.0 / 2);
    let panels = [
        (
            left,
            Figure::ClientCredentials,
            "Client credentials: tokens/s",
        ),
        (
            right,
            Figure::CodeFlow,
            "Code + PKCE + userinfo (session): flows/s",
        ),
    ];
    for (area, figure, title) in panels {
        let points: Vec<&Point> = figures
            .points
            .iter()
            .filter(|p| p.figure == figure)
            .collect();
        panel(&area, &points, title).map_err(|e| anyhow!("{e}"))?;
    }
    root.present()
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| format!("writing {}", path.display()))
}

fn panel(
    area: &DrawingArea<BitMapBackend, plotters::coord::Shift>,
    points: &[&Point],
    title: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    // x is log2(clients), so 1, 2, 4 … 64 are evenly spaced and labelled as counts.
    let x = |clients: usize| (clients.max(1) as f64).log2();
    let widest = x(points.iter().map(|p| p.clients).max().unwrap_or(64));
    // Headroom above the highest line for the legend.
    let top = points.iter().map(|p| p.rate.per_sec).fold(0.0, f64::max) * 1.5;
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.2..widest + 0.2, 0.0..top.max(1.0))?;
    chart
        .configure_mesh()
        .x_desc("concurrent clients (log scale)")
        .y_desc("operations per second")
        .x_labels(widest.ceil() as usize + 2)
        .x_label_formatter(&|x| format!("{:.0}", x.exp2()))
        .light_line_style(TRANSPARENT)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(("sans-serif", 14))
        .draw()?;
    let mut names: Vec<(&str, &str)> = Vec::new();
    for p in points {
        if !names.contains(&(p.operation, p.engine)) {
            names.push((p.operation, p.engine));
        }
    }
    for (operation, engine) in names {
        let line: Vec<(f64, f64)> = points
            .iter()
            .filter(|p| p.operation == operation && p.engine == engine)
            .map(|p| (x(p.clients), p.rate.per_sec))
            .collect();
        let colour = colour(operation, engine);
        let label = if engine == PEER {
            operation.to_string()
        } else {
            format!("{operation}, {engine}")
        };
        chart
            .draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2))
            });
        chart.draw_series(
            line.iter()
                .map(|&(x, y)| Circle::new((x, y), 4, colour.filled())),
        )?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
