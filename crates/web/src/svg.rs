//! Server-drawn SVG: the hex cartogram, a locator map, a histogram, a
//! scatter with its fitted line and band, and a confidence-interval chart.
//! Every chart is an `<svg role="img">` with a `<title>` and `<desc>`; the
//! pages put a data table beside each. The hex and boundary maps are the
//! exception: their seats are links, which `role="img"` would hide (axe-core
//! reports them as interactive content nested in an image), so each is a
//! `role="group"` named by its title and described by its description,
//! each link named by its own `<title>`. Colours come from viridis
//! (sequential, colour-blind safe, monotone in lightness); no colour is the
//! only carrier of a value, and text never sits on a coloured fill.

use std::fmt::Write;

/// Five viridis colours, dark to light (matplotlib's viridis at 0, ¼, ½, ¾, 1).
pub const VIRIDIS5: [&str; 5] = ["#440154", "#3b528b", "#21918c", "#5ec962", "#fde725"];
/// Fill of a seat without a value: light grey, with the map's dark outline.
pub const NO_DATA: &str = "#e6e6e6";
/// Outline of every hex (at least 3:1 against white and against the fills).
pub const OUTLINE: &str = "#4d4d4d";
/// Marks on charts (points, bars, lines): 8.6:1 on white.
pub const INK: &str = "#1f3a68";

/// Escapes text for SVG and HTML content and attributes.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Quantile classes of a map: `breaks` has one more entry than classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Classes {
    pub breaks: Vec<f64>,
}

impl Classes {
    /// Up to five classes at the quintiles (type 7) of `values`; fewer when
    /// quintiles coincide. `None` without values.
    pub fn quintiles(values: &[f64]) -> Option<Classes> {
        let probs = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
        let q =
            stemgap_stats::quantiles(values, &probs, stemgap_stats::QuantileMethod::Type7).ok()?;
        let mut breaks: Vec<f64> = Vec::with_capacity(6);
        for b in q {
            if breaks.last() != Some(&b) {
                breaks.push(b);
            }
        }
        if breaks.len() == 1 {
            breaks.push(breaks[0]);
        }
        Some(Classes { breaks })
    }

    pub fn count(&self) -> usize {
        self.breaks.len() - 1
    }

    /// The class of `v` (the last class includes its upper break).
    pub fn class(&self, v: f64) -> usize {
        let k = self.count();
        (1..k)
            .take_while(|&i| v >= self.breaks[i])
            .count()
            .min(k - 1)
    }

    /// The colour of class `c`: spread over viridis from dark to light.
    pub fn colour(&self, c: usize) -> &'static str {
        let k = self.count();
        if k <= 1 {
            return VIRIDIS5[2];
        }
        VIRIDIS5[(c * 4 + (k - 1) / 2) / (k - 1)]
    }
}

/// Hex positions of one boundary set, laid out once: pointy-top hexes,
/// odd-r offset rows, north up (the HexJSON `r` grows northwards).
#[derive(Debug, Clone)]
pub struct HexLayout {
    /// Centre of each seat's hex (None for a seat without one).
    pub centres: Vec<Option<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
    /// Every hex as one path, for the locator map's background.
    pub all_path: String,
}

/// Circumradius of a hex in SVG units.
pub(crate) const HEX: f64 = 6.0;
const MARGIN: f64 = 8.0;

fn hex_points(cx: f64, cy: f64, out: &mut String) {
    let w = HEX * 3f64.sqrt() / 2.0;
    let pts = [
        (0.0, -HEX),
        (w, -HEX / 2.0),
        (w, HEX / 2.0),
        (0.0, HEX),
        (-w, HEX / 2.0),
        (-w, -HEX / 2.0),
    ];
    for (i, (dx, dy)) in pts.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let _ = write!(out, "{:.1},{:.1}", cx + dx, cy + dy);
    }
}

/// [`hex_points`], for other modules' tests.
#[cfg(test)]
pub(crate) fn hex_points_for_test(cx: f64, cy: f64, out: &mut String) {
    hex_points(cx, cy, out)
}

impl HexLayout {
    pub fn new(hexes: &[Option<(i32, i32)>]) -> HexLayout {
        let w = HEX * 3f64.sqrt();
        let raw: Vec<Option<(f64, f64)>> = hexes
            .iter()
            .map(|h| {
                h.map(|(q, r)| {
                    let shift = if r & 1 == 1 { 0.5 } else { 0.0 };
                    ((q as f64 + shift) * w, -(r as f64) * HEX * 1.5)
                })
            })
            .collect();
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for (x, y) in raw.iter().flatten() {
            x0 = x0.min(*x);
            y0 = y0.min(*y);
            x1 = x1.max(*x);
            y1 = y1.max(*y);
        }
        if x0 > x1 {
            (x0, y0, x1, y1) = (0.0, 0.0, 0.0, 0.0);
        }
        let dx = MARGIN + w / 2.0 - x0;
        let dy = MARGIN + HEX - y0;
        let centres: Vec<Option<(f64, f64)>> = raw
            .iter()
            .map(|c| c.map(|(x, y)| (x + dx, y + dy)))
            .collect();
        let mut all_path = String::new();
        for (x, y) in centres.iter().flatten() {
            all_path.push('M');
            hex_points(*x, *y, &mut all_path);
            all_path.push('Z');
        }
        HexLayout {
            centres,
            width: x1 - x0 + w + 2.0 * MARGIN,
            height: y1 - y0 + 2.0 * HEX + 2.0 * MARGIN,
            all_path,
        }
    }

    /// Number of seats drawn.
    pub fn drawn(&self) -> usize {
        self.centres.iter().flatten().count()
    }
}

/// One seat on a choropleth.
pub struct MapSeat<'a> {
    pub name: &'a str,
    pub href: String,
    pub fill: &'a str,
    /// Value as text, for the hex's tooltip.
    pub label: String,
}

/// The hex cartogram, every seat filled and linked. The links are named
/// (the `<title>`, also the tooltip) and out of the tab order: the table
/// beside the map is the keyboard route to the same pages.
pub fn hex_map(layout: &HexLayout, seats: &[MapSeat<'_>], title: &str, desc: &str) -> String {
    let mut s = String::with_capacity(seats.len() * 220 + 400);
    let _ = write!(
        s,
        r#"<svg class="hexmap" viewBox="0 0 {:.0} {:.0}" role="group" aria-labelledby="map-title" aria-describedby="map-desc" xmlns="http://www.w3.org/2000/svg"><title id="map-title">{}</title><desc id="map-desc">{}</desc><g stroke="{OUTLINE}" stroke-width="0.6">"#,
        layout.width,
        layout.height,
        esc(title),
        esc(desc)
    );
    for (seat, centre) in seats.iter().zip(&layout.centres) {
        let Some((x, y)) = centre else { continue };
        let _ = write!(
            s,
            r#"<a href="{}" tabindex="-1"><title>{}: {}</title><polygon points=""#,
            esc(&seat.href),
            esc(seat.name),
            esc(&seat.label)
        );
        hex_points(*x, *y, &mut s);
        let _ = write!(s, r#"" fill="{}"/></a>"#, seat.fill);
    }
    s.push_str("</g></svg>");
    s
}

/// The seats' real boundaries (drawn at build time), every seat filled and
/// linked like the hex map (a named group of named links), with an enlarged inset (London) when the store
/// has one (returned second: it draws the first map's seats again, so it
/// must be on the same page). Borders keep a hairline width at any scale.
pub fn boundary_map(
    outlines: &crate::atlas::Outlines,
    seats: &[MapSeat<'_>],
    title: &str,
    desc: &str,
) -> (String, Option<String>) {
    let size: usize = outlines.paths.iter().flatten().map(String::len).sum();
    let mut s = String::with_capacity(size + seats.len() * 160 + 1200);
    let vb = |[x, y, w, h]: [f64; 4]| format!("{x} {y} {w} {h}");
    let _ = write!(
        s,
        r#"<svg class="boundarymap" viewBox="{}" role="group" aria-labelledby="bmap-title" aria-describedby="bmap-desc" xmlns="http://www.w3.org/2000/svg"><title id="bmap-title">{}</title><desc id="bmap-desc">{}</desc><g id="bmap-seats" stroke="{OUTLINE}" stroke-width="0.4" stroke-linejoin="round" fill-rule="evenodd">"#,
        vb(outlines.view_box),
        esc(title),
        esc(desc)
    );
    for (seat, path) in seats.iter().zip(&outlines.paths) {
        let Some(path) = path else { continue };
        let _ = write!(
            s,
            r#"<a href="{}" tabindex="-1"><title>{}: {}</title><path d="{path}" fill="{}" vector-effect="non-scaling-stroke"/></a>"#,
            esc(&seat.href),
            esc(seat.name),
            esc(&seat.label),
            seat.fill
        );
    }
    s.push_str("</g>");
    if let Some((_, [x, y, w, h])) = &outlines.inset {
        // The inset's frame on the main map.
        let _ = write!(
            s,
            r#"<rect x="{x}" y="{y}" width="{w}" height="{h}" fill="none" stroke="{INK}" stroke-width="1.5" vector-effect="non-scaling-stroke"/>"#
        );
    }
    s.push_str("</svg>");
    let inset = outlines.inset.as_ref().map(|(name, view_box)| {
        format!(
            r##"<svg class="inset" viewBox="{}" role="img" aria-labelledby="inset-title" xmlns="http://www.w3.org/2000/svg"><title id="inset-title">{} enlarged (the framed area of the boundary map)</title><use href="#bmap-seats"/></svg>"##,
            vb(*view_box),
            esc(name)
        )
    });
    (s, inset)
}

/// A small map of every seat in grey with one seat picked out in the
/// darkest viridis colour and its neighbours in the middle one.
pub fn locator(layout: &HexLayout, seat: usize, neighbours: &[usize], name: &str) -> String {
    let mut s = String::with_capacity(layout.all_path.len() + 600);
    let _ = write!(
        s,
        r##"<svg class="locator" viewBox="0 0 {:.0} {:.0}" role="img" aria-labelledby="loc-title" xmlns="http://www.w3.org/2000/svg"><title id="loc-title">Where {} is on the hex map of all seats (dark), with its neighbours (mid-tone)</title><path d="{}" fill="{NO_DATA}" stroke="#8c8c8c" stroke-width="0.4"/>"##,
        layout.width,
        layout.height,
        esc(name),
        layout.all_path
    );
    for (i, fill) in neighbours
        .iter()
        .map(|&n| (n, VIRIDIS5[2]))
        .chain([(seat, VIRIDIS5[0])])
    {
        if let Some(Some((x, y))) = layout.centres.get(i) {
            s.push_str(r#"<polygon points=""#);
            hex_points(*x, *y, &mut s);
            let _ = write!(
                s,
                r#"" fill="{fill}" stroke="{OUTLINE}" stroke-width="0.6"/>"#
            );
        }
    }
    s.push_str("</svg>");
    s
}

/// A histogram of `values` in `bins` equal-width bins: the SVG and the
/// (lower, upper, count) of each bin for its table.
pub fn histogram(
    values: &[f64],
    bins: usize,
    fmt: &dyn Fn(f64) -> String,
    title: &str,
) -> (String, Vec<(f64, f64, usize)>) {
    let (w, h, left, bottom) = (640.0, 240.0, 48.0, 40.0);
    let Some((lo, hi)) = values.iter().fold(None, |acc: Option<(f64, f64)>, &v| {
        Some(acc.map_or((v, v), |(a, b)| (a.min(v), b.max(v))))
    }) else {
        return (String::new(), Vec::new());
    };
    let bins = bins.max(1);
    let width = if hi > lo {
        (hi - lo) / bins as f64
    } else {
        1.0
    };
    let mut counts = vec![0usize; bins];
    for &v in values {
        let b = (((v - lo) / width) as usize).min(bins - 1);
        counts[b] += 1;
    }
    let table: Vec<(f64, f64, usize)> = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| (lo + i as f64 * width, lo + (i + 1) as f64 * width, c))
        .collect();
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let plot_w = w - left - 10.0;
    let plot_h = h - bottom - 10.0;
    let bar_w = plot_w / bins as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="hist-title hist-desc" xmlns="http://www.w3.org/2000/svg"><title id="hist-title">{}</title><desc id="hist-desc">Histogram of {} seats in {bins} bins from {} to {}; the tallest bin holds {} seats. The table below lists every bin.</desc>"#,
        esc(title),
        values.len(),
        esc(&fmt(lo)),
        esc(&fmt(hi)),
        top
    );
    for (i, &c) in counts.iter().enumerate() {
        let bh = c as f64 / top * plot_h;
        let _ = write!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{INK}"><title>{} to {}: {c} seats</title></rect>"#,
            left + i as f64 * bar_w + 0.5,
            10.0 + plot_h - bh,
            (bar_w - 1.0).max(0.5),
            bh,
            esc(&fmt(table[i].0)),
            esc(&fmt(table[i].1)),
        );
    }
    axis_frame(&mut s, left, 10.0, plot_w, plot_h);
    let _ = write!(
        s,
        r##"<text x="{left}" y="{}" class="tick">{}</text><text x="{}" y="{}" class="tick" text-anchor="end">{}</text><text x="{}" y="20" class="tick" text-anchor="end">{top:.0}</text><text x="{}" y="{}" class="tick" text-anchor="end">0</text>"##,
        h - 22.0,
        esc(&fmt(lo)),
        w - 10.0,
        h - 22.0,
        esc(&fmt(hi)),
        left - 4.0,
        left - 4.0,
        10.0 + plot_h,
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" class="axis" text-anchor="middle">value (seats per bin on the vertical axis)</text></svg>"#,
        left + plot_w / 2.0,
        h - 4.0
    );
    (s, table)
}

fn axis_frame(s: &mut String, x: f64, y: f64, w: f64, h: f64) {
    let _ = write!(
        s,
        r##"<path d="M{x},{y}V{:.1}H{:.1}" fill="none" stroke="#595959" stroke-width="1"/>"##,
        y + h,
        x + w
    );
}

/// A straight-line fit of y on x with a confidence band for the mean.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub intercept: f64,
    pub slope: f64,
    pub slope_ci: (f64, f64),
    pub n: usize,
    pub level: f64,
    /// (x, lower, upper) of the band for the mean of y at x.
    pub band: Vec<(f64, f64, f64)>,
    pub method: &'static str,
}

/// Least squares of y on x (stemgap-stats' QR, HC3 errors), with the band
/// for the mean of y at 25 points: the interval of the intercept of a fit
/// on x − x₀ is the interval of the mean at x₀.
pub fn fit(x: &[f64], y: &[f64], level: f64) -> Option<Fit> {
    use stemgap_stats::{ols, OlsOptions};
    let opts = OlsOptions::default().level(level);
    let m = ols(y, &[x], &opts).ok()?;
    let (lo, hi) = x
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    let mut band = Vec::new();
    for i in 0..25 {
        let x0 = lo + (hi - lo) * i as f64 / 24.0;
        let shifted: Vec<f64> = x.iter().map(|v| v - x0).collect();
        let at = ols(y, &[&shifted], &opts).ok()?;
        band.push((x0, at.ci[0].0, at.ci[0].1));
    }
    Some(Fit {
        intercept: m.coef[0],
        slope: m.coef[1],
        slope_ci: m.ci[1],
        n: m.n,
        level,
        band,
        method: "ordinary least squares (Householder QR), HC3 standard errors, t interval",
    })
}

/// A scatter of points with an optional fitted line and band.
pub struct Scatter<'a> {
    pub points: &'a [(f64, f64)],
    pub fit: Option<&'a Fit>,
    pub x_label: &'a str,
    pub y_label: &'a str,
    pub fmt_x: &'a dyn Fn(f64) -> String,
    pub fmt_y: &'a dyn Fn(f64) -> String,
    pub title: &'a str,
    pub desc: &'a str,
}

pub fn scatter(sc: &Scatter<'_>) -> String {
    let (w, h, left, bottom, top, right) = (640.0, 360.0, 64.0, 44.0, 10.0, 12.0);
    if sc.points.is_empty() {
        return String::new();
    }
    let mut xs = (f64::MAX, f64::MIN);
    let mut ys = (f64::MAX, f64::MIN);
    for &(x, y) in sc.points {
        xs = (xs.0.min(x), xs.1.max(x));
        ys = (ys.0.min(y), ys.1.max(y));
    }
    if let Some(f) = sc.fit {
        for &(_, l, u) in &f.band {
            ys = (ys.0.min(l), ys.1.max(u));
        }
    }
    let span = |(a, b): (f64, f64)| if b > a { (a, b) } else { (a - 1.0, b + 1.0) };
    let (xs, ys) = (span(xs), span(ys));
    let pw = w - left - right;
    let ph = h - top - bottom;
    let px = |x: f64| left + (x - xs.0) / (xs.1 - xs.0) * pw;
    let py = |y: f64| top + ph - (y - ys.0) / (ys.1 - ys.0) * ph;
    let mut s = String::with_capacity(sc.points.len() * 60 + 2000);
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="sc-title sc-desc" xmlns="http://www.w3.org/2000/svg"><title id="sc-title">{}</title><desc id="sc-desc">{}</desc>"#,
        esc(sc.title),
        esc(sc.desc)
    );
    if let Some(f) = sc.fit {
        let mut d = String::new();
        for (i, &(x, _, u)) in f.band.iter().enumerate() {
            let _ = write!(
                d,
                "{}{:.1},{:.1}",
                if i == 0 { 'M' } else { 'L' },
                px(x),
                py(u)
            );
        }
        for &(x, l, _) in f.band.iter().rev() {
            let _ = write!(d, "L{:.1},{:.1}", px(x), py(l));
        }
        let _ = write!(s, r##"<path d="{d}Z" fill="#b3c7e6" stroke="none"/>"##);
    }
    // Every point as a zero-length round-capped stroke of one path (a disc
    // of radius 2.2 each): a fraction of the bytes of a circle per seat.
    // Points of one path do not darken where they overlap, so the opacity
    // is a little higher than a circle's would be.
    // (Its class also keeps the static site from sharing it as a large
    // shape: no other page has it.)
    s.push_str("<path class=\"dots\" d=\"");
    for &(x, y) in sc.points {
        let _ = write!(s, "M{:.1} {:.1}h0", px(x), py(y));
    }
    let _ = write!(
        s,
        r#"" stroke="{INK}" stroke-opacity="0.75" stroke-width="4.4" stroke-linecap="round" fill="none"/>"#
    );
    if let Some(f) = sc.fit {
        let (x0, x1) = xs;
        let _ = write!(
            s,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#b8002e" stroke-width="2"/>"##,
            px(x0),
            py(f.intercept + f.slope * x0),
            px(x1),
            py(f.intercept + f.slope * x1)
        );
    }
    axis_frame(&mut s, left, top, pw, ph);
    let _ = write!(
        s,
        r#"<text x="{left}" y="{}" class="tick">{}</text><text x="{}" y="{}" class="tick" text-anchor="end">{}</text><text x="{}" y="{}" class="tick" text-anchor="end">{}</text><text x="{}" y="{}" class="tick" text-anchor="end">{}</text>"#,
        h - bottom + 16.0,
        esc(&(sc.fmt_x)(xs.0)),
        w - right,
        h - bottom + 16.0,
        esc(&(sc.fmt_x)(xs.1)),
        left - 4.0,
        top + ph,
        esc(&(sc.fmt_y)(ys.0)),
        left - 4.0,
        top + 10.0,
        esc(&(sc.fmt_y)(ys.1)),
    );
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" class="axis" text-anchor="middle">{}</text><text transform="translate(14 {}) rotate(-90)" class="axis" text-anchor="middle">{}</text></svg>"#,
        left + pw / 2.0,
        h - 6.0,
        esc(sc.x_label),
        top + ph / 2.0,
        esc(sc.y_label)
    );
    s
}

/// One row of a confidence-interval chart.
pub struct CiRow<'a> {
    pub label: &'a str,
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

/// Words of `text` in lines of at most `width` characters (a longer word
/// gets a line of its own); nothing is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Round tick values covering `[lo, hi]`: steps of 1, 2 or 5 times a power
/// of ten, about `target` of them.
pub fn ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater)
        || !lo.is_finite()
        || !hi.is_finite()
    {
        return vec![lo];
    }
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    let decimals = tick_decimals(step);
    (first..=last)
        .map(|k| {
            // Printed and read back, so 3 × 0.2 is 0.6; -0 is 0.
            let v: f64 = format!("{:.*}", decimals, k as f64 * step)
                .parse()
                .unwrap_or(k as f64 * step);
            if v == 0.0 {
                0.0
            } else {
                v
            }
        })
        .collect()
}

/// Decimal places that print every multiple of `step` exactly.
fn tick_decimals(step: f64) -> usize {
    (-(step * 1.000_001).log10().floor()).max(0.0) as usize
}

/// A tick value with as many decimals as the ticks' step needs.
fn tick_label(v: f64, ticks: &[f64]) -> String {
    match ticks.windows(2).map(|w| w[1] - w[0]).next() {
        Some(step) => format!("{:.*}", tick_decimals(step), v),
        None => crate::format::sig(v, 3),
    }
}

/// Characters per line of a confidence-interval chart's row label.
const LABEL_CHARS: usize = 44;

/// Estimates with their intervals as dots and whiskers, one row each (its
/// label wrapped, never cut), on an axis with round ticks and light grid
/// lines, with a dashed reference line at `reference` (0 for a difference,
/// 1 for a ratio) when it falls in range.
pub fn ci_chart(rows: &[CiRow<'_>], reference: Option<f64>, unit: &str, title: &str) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let line_h = 12.0;
    let (w, label_w, right) = (680.0, 290.0, 16.0);
    let labels: Vec<Vec<String>> = rows.iter().map(|r| wrap(r.label, LABEL_CHARS)).collect();
    let heights: Vec<f64> = labels
        .iter()
        .map(|l| (l.len() as f64 * line_h + 8.0).max(22.0))
        .collect();
    let body: f64 = heights.iter().sum();
    let h = body + 44.0;
    let mut lo = rows
        .iter()
        .map(|r| r.low.min(r.estimate))
        .fold(f64::MAX, f64::min);
    let mut hi = rows
        .iter()
        .map(|r| r.high.max(r.estimate))
        .fold(f64::MIN, f64::max);
    if let Some(r) = reference {
        lo = lo.min(r);
        hi = hi.max(r);
    }
    if hi <= lo {
        lo -= 1.0;
        hi += 1.0;
    }
    let pad = (hi - lo) * 0.05;
    let (lo, hi) = (lo - pad, hi + pad);
    let pw = w - label_w - right;
    let px = |x: f64| label_w + (x - lo) / (hi - lo) * pw;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg class="chart" viewBox="0 0 {w} {h:.0}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    let axis_y = body + 6.0;
    let all_ticks = ticks(lo, hi, 6);
    for &t in &all_ticks {
        let x = px(t);
        let _ = write!(
            s,
            r##"<line x1="{x:.1}" y1="4" x2="{x:.1}" y2="{axis_y:.1}" stroke="#e0e0e0"/><line x1="{x:.1}" y1="{axis_y:.1}" x2="{x:.1}" y2="{:.1}" stroke="#595959"/><text x="{x:.1}" y="{:.1}" class="tick" text-anchor="middle">{}</text>"##,
            axis_y + 4.0,
            axis_y + 15.0,
            esc(&tick_label(t, &all_ticks))
        );
    }
    let _ = write!(
        s,
        r##"<line x1="{label_w}" y1="{axis_y:.1}" x2="{:.1}" y2="{axis_y:.1}" stroke="#595959"/>"##,
        w - right
    );
    if let Some(r) = reference {
        let _ = write!(
            s,
            r##"<line x1="{:.1}" y1="4" x2="{:.1}" y2="{axis_y:.1}" stroke="#595959" stroke-dasharray="4 3"/>"##,
            px(r),
            px(r),
        );
    }
    let mut top = 4.0;
    for ((r, label), rh) in rows.iter().zip(&labels).zip(&heights) {
        let y = top + rh / 2.0;
        let first = y + 4.0 - (label.len() as f64 - 1.0) * line_h / 2.0;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{first:.1}" class="tick" text-anchor="end">"#,
            label_w - 8.0
        );
        for (k, l) in label.iter().enumerate() {
            if k == 0 {
                let _ = write!(s, "{}", esc(l));
            } else {
                let _ = write!(
                    s,
                    r#"<tspan x="{:.1}" dy="{line_h}">{}</tspan>"#,
                    label_w - 8.0,
                    esc(l)
                );
            }
        }
        let _ = write!(
            s,
            r#"</text><line x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{INK}" stroke-width="2"/><circle cx="{:.1}" cy="{y:.1}" r="4" fill="{INK}"><title>{}: {} ({} to {})</title></circle>"#,
            px(r.low),
            px(r.high),
            px(r.estimate),
            esc(r.label),
            crate::format::sig(r.estimate, 3),
            crate::format::sig(r.low, 3),
            crate::format::sig(r.high, 3),
        );
        top += rh;
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" class="axis" text-anchor="middle">{}</text></svg>"#,
        label_w + pw / 2.0,
        h - 4.0,
        esc(unit)
    );
    s
}

/// A hex cartogram for print: every seat filled, nothing linked, so it is
/// one image (`role="img"`) named by its title and described by its
/// description; `id` keeps several on one page apart.
pub fn hex_map_figure(
    layout: &HexLayout,
    fills: &[&str],
    title: &str,
    desc: &str,
    id: &str,
) -> String {
    let mut s = String::with_capacity(fills.len() * 90 + 400);
    let _ = write!(
        s,
        r#"<svg class="hexmap" viewBox="0 0 {:.0} {:.0}" role="img" aria-labelledby="{id}-title {id}-desc" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc><g stroke="{OUTLINE}" stroke-width="0.6">"#,
        layout.width,
        layout.height,
        esc(title),
        esc(desc)
    );
    for (fill, centre) in fills.iter().zip(&layout.centres) {
        let Some((x, y)) = centre else { continue };
        s.push_str(r#"<polygon points=""#);
        hex_points(*x, *y, &mut s);
        let _ = write!(s, r#"" fill="{fill}"/>"#);
    }
    s.push_str("</g></svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundary_map_links_every_outlined_seat_and_frames_its_inset() {
        let outlines = crate::atlas::Outlines {
            view_box: [0.0, 0.0, 100.0, 50.0],
            inset: Some(("London".into(), [10.0, 10.0, 5.0, 4.5])),
            paths: vec![
                Some("M0 0l10 0 0 10z".into()),
                None,
                Some("M20 0l5 0 0 5z".into()),
            ],
        };
        let seat = |name, fill| MapSeat {
            name,
            href: format!("/constituency/{name}"),
            fill,
            label: "1%".into(),
        };
        let seats = [
            seat("A&B", VIRIDIS5[0]),
            seat("C", NO_DATA),
            seat("D", VIRIDIS5[4]),
        ];
        let (map, inset) = boundary_map(&outlines, &seats, "T", "D");
        assert!(map.starts_with(r#"<svg class="boundarymap" viewBox="0 0 100 50""#));
        // C has no outline: two seats drawn, each linked, in its colour.
        assert_eq!(map.matches("<path d=").count(), 2);
        assert!(map.contains(r##"<a href="/constituency/A&amp;B" tabindex="-1"><title>A&amp;B: 1%</title><path d="M0 0l10 0 0 10z" fill="#440154""##));
        assert!(map
            .contains(r#"role="group" aria-labelledby="bmap-title" aria-describedby="bmap-desc""#));
        assert!(map.contains(r#"<rect x="10" y="10" width="5" height="4.5""#));
        let inset = inset.unwrap();
        assert!(
            inset.contains(r##"viewBox="10 10 5 4.5""##)
                && inset.contains(r##"<use href="#bmap-seats"/>"##)
        );
        let (_, none) = boundary_map(
            &crate::atlas::Outlines {
                inset: None,
                ..outlines
            },
            &seats,
            "T",
            "D",
        );
        assert!(none.is_none());
    }

    #[test]
    fn quintile_classes_cover_the_range_and_use_distinct_colours() {
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        let c = Classes::quintiles(&v).unwrap();
        assert_eq!(c.count(), 5);
        assert_eq!(c.class(0.0), 0);
        assert_eq!(c.class(99.0), 4);
        assert_eq!(c.class(50.0), 2);
        let colours: Vec<_> = (0..5).map(|i| c.colour(i)).collect();
        assert_eq!(colours, VIRIDIS5.to_vec());
        // All equal: one class, one colour.
        let one = Classes::quintiles(&[3.0, 3.0]).unwrap();
        assert_eq!(one.count(), 1);
        assert_eq!(one.class(3.0), 0);
        // Two distinct values: the two ends of the palette.
        let two = Classes::quintiles(&[1.0, 1.0, 1.0, 1.0, 2.0]).unwrap();
        assert_eq!(two.count(), 2);
        assert_eq!((two.colour(0), two.colour(1)), (VIRIDIS5[0], VIRIDIS5[4]));
        assert!(Classes::quintiles(&[]).is_none());
    }

    #[test]
    fn odd_rows_shift_and_north_is_up() {
        let l = HexLayout::new(&[Some((0, 0)), Some((0, 1)), Some((1, 0)), None]);
        let c: Vec<_> = l.centres.iter().flatten().copied().collect();
        assert_eq!(c.len(), 3);
        assert_eq!(l.drawn(), 3);
        let w = HEX * 3f64.sqrt();
        assert!(
            (c[1].0 - c[0].0 - w / 2.0).abs() < 1e-9,
            "odd row shifted half a hex"
        );
        assert!(c[1].1 < c[0].1, "r = 1 is above r = 0");
        assert!((c[2].0 - c[0].0 - w).abs() < 1e-9);
        assert_eq!(l.all_path.matches('M').count(), 3);
    }

    #[test]
    fn the_fit_recovers_a_line_and_its_band_contains_it() {
        let x: Vec<f64> = (0..50).map(f64::from).collect();
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, v)| 2.0 + 0.5 * v + if i % 2 == 0 { 0.3 } else { -0.3 })
            .collect();
        let f = fit(&x, &y, 0.95).unwrap();
        assert!((f.slope - 0.5).abs() < 0.01, "{}", f.slope);
        assert!(f.slope_ci.0 < 0.5 && 0.5 < f.slope_ci.1);
        assert_eq!(f.band.len(), 25);
        for &(x0, l, u) in &f.band {
            let m = f.intercept + f.slope * x0;
            assert!(l < m && m < u, "band at {x0}: {l} {m} {u}");
        }
        // The band is narrowest near the mean of x.
        let width = |i: usize| f.band[i].2 - f.band[i].1;
        assert!(width(12) < width(0) && width(12) < width(24));
    }

    #[test]
    fn histogram_counts_every_value_once() {
        let v = [0.0, 0.1, 0.5, 0.9, 1.0];
        let (svg, bins) = histogram(&v, 2, &|x| format!("{x}"), "t");
        assert_eq!(bins.iter().map(|b| b.2).sum::<usize>(), 5);
        assert_eq!(bins[0].2, 2);
        assert!(svg.contains("<title id=\"hist-title\">t</title>"));
    }

    #[test]
    fn the_hex_map_is_a_named_group_of_named_links() {
        let l = HexLayout::new(&[Some((0, 0)), Some((0, 1))]);
        let seats = [("A & B", "#440154"), ("C", "#fde725")].map(|(name, fill)| MapSeat {
            name,
            href: format!("/constituency/{name}"),
            fill,
            label: "1%".into(),
        });
        let svg = hex_map(&l, &seats, "t", "d");
        // Not an image: its children would be presentational, the links lost.
        assert!(!svg.contains("role=\"img\""));
        assert!(
            svg.contains(r#"role="group" aria-labelledby="map-title" aria-describedby="map-desc""#)
        );
        assert_eq!(svg.matches(r#"tabindex="-1"><title>"#).count(), 2);
        assert!(svg.contains("<title>A &amp; B: 1%</title><polygon"));
    }

    #[test]
    fn ticks_are_round_and_inside_the_range() {
        assert_eq!(ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(ticks(-23.7, -4.2, 4), vec![-20.0, -15.0, -10.0, -5.0]);
        let t = ticks(0.87, 6.3, 6);
        assert_eq!(t, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        assert_eq!(ticks(1.0, 1.0, 5), vec![1.0]);
    }

    #[test]
    fn labels_wrap_without_losing_a_word() {
        let l =
            "Adult FE achievements in STEM subjects (broad, with construction) per 1,000 adults";
        let lines = wrap(l, 44);
        assert!(lines.iter().all(|x| x.chars().count() <= 44), "{lines:?}");
        assert_eq!(lines.join(" "), l);
        assert_eq!(wrap("", 10), vec![String::new()]);
        // A chart shows the whole label, wrapped, never an ellipsis.
        let svg = ci_chart(
            &[CiRow {
                label: l,
                estimate: 1.0,
                low: 0.5,
                high: 1.5,
            }],
            Some(1.0),
            "ratio",
            "t",
        );
        assert!(!svg.contains('…') && svg.contains("<tspan"));
        assert!(
            svg.contains(">0.6</text>") && svg.contains(">1.4</text>"),
            "{svg}"
        );
    }

    #[test]
    fn the_print_hex_map_is_one_named_image_with_its_own_ids() {
        let l = HexLayout::new(&[Some((0, 0)), None, Some((0, 1))]);
        let svg = hex_map_figure(
            &l,
            &[VIRIDIS5[0], NO_DATA, VIRIDIS5[4]],
            "T & t",
            "D",
            "fig-3",
        );
        assert!(svg.contains(r#"role="img" aria-labelledby="fig-3-title fig-3-desc""#));
        assert_eq!(svg.matches("<polygon").count(), 2);
        assert!(!svg.contains("<a ") && svg.contains("T &amp; t"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        let svg = ci_chart(
            &[CiRow {
                label: "<x>",
                estimate: 1.0,
                low: 0.5,
                high: 1.5,
            }],
            Some(0.0),
            "u",
            "t",
        );
        assert!(svg.contains("&lt;x&gt;") && !svg.contains("<x>"));
    }
}
