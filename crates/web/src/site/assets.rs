//! Shared assets of the static site: what the server repeats in every page
//! (it compresses well on the wire) is written once as a file and pointed
//! at, so the site fits a free static host.
//!
//! - **Seat outlines.** Every boundary map draws the stored outline of each
//!   seat; in the static site each `<path d="…">` that is a seat's outline
//!   becomes `<use href="static/o{set}.svg#{code}">` (one sprite per
//!   set, the same attributes kept, so fills and links are unchanged).
//! - **Large shapes.** Any other path of 4,000 characters or more (the
//!   locator's hex map of all seats, the same on every profile) is written
//!   once to `static/shapes/{hash}.svg` and used from there.
//! - **Caveats.** A profile repeats every indicator's caveats in its rows,
//!   the same on every profile; in the static site they are left to the
//!   indicator's page, which the row's name links to (so are they on the
//!   vocabulary page, `vocab.html#{id}`); the row's history stays unless
//!   the trend chart's data table on the same page has every period of it.
//!
//! Everything is a function of the page and the atlas, so the site stays
//! byte-identical from run to run.

use crate::App;
use std::collections::HashMap;

/// Paths at least this long that are not seat outlines go to a shared file.
pub const LARGE_PATH: usize = 4_000;

/// What pages point at instead of repeating it.
pub struct Shared {
    /// Outline path → (set id, seat code).
    outlines: HashMap<String, (&'static str, String)>,
}

/// The boundary map's stroke effect, which the outline sprites carry.
const NON_SCALING: &str = " vector-effect=\"non-scaling-stroke\"";

/// What opens a profile row's caveats and history.
const CAVEATS: &str = "<details><summary>Caveats and history</summary>";
/// What opens a row's history in the static site.
const HISTORY_ONLY: &str = "<details><summary>History</summary>";
/// What closes them.
const DETAILS_END: &str = "</details>";
/// What opens a row's history paragraph.
const HISTORY: &str = "<p>Every period: ";
/// What opens a profile row (its indicator id follows).
const ROW: &str = "<tr id=\"i-";

/// 64-bit FNV-1a as 16 hex digits.
fn hash(s: &str) -> String {
    format!("{:016x}", crate::http::fnv1a(&[s.as_bytes()]))
}

impl Shared {
    pub fn new(app: &App) -> Shared {
        let mut outlines = HashMap::new();
        for s in &app.atlas.sets {
            if let Some(o) = &s.outlines {
                for (seat, path) in s.seats.iter().zip(&o.paths) {
                    if let Some(p) = path {
                        outlines.insert(p.clone(), (s.set.id(), seat.code.to_string()));
                    }
                }
            }
        }
        Shared { outlines }
    }

    /// A profile with each row's "Caveats and history" made short: the
    /// caveats paragraph and the download link go (the indicator's page,
    /// linked from the row's name, has both, as the section's text says),
    /// the row's history stays unless it is the seat's column of the
    /// indicator's trend chart (every period with a figure); a row with no
    /// history keeps only its name.
    fn link_caveats(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(at) = rest.find(CAVEATS) {
            let start = at + CAVEATS.len();
            let Some(len) = rest[start..].find(DETAILS_END) else {
                break;
            };
            let inner = &rest[start..start + len];
            // The row's indicator: the last row opened before the details.
            let id = rest[..at]
                .rfind(ROW)
                .map(|r| {
                    let from = r + ROW.len();
                    let to = rest[from..].find('"').map_or(from, |n| from + n);
                    &rest[from..to]
                })
                .filter(|id| {
                    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                });
            let Some(id) = id else {
                out.push_str(&rest[..start + len + DETAILS_END.len()]);
                rest = &rest[start + len + DETAILS_END.len()..];
                continue;
            };
            out.push_str(&rest[..at]);
            let history = inner
                .find(HISTORY)
                .and_then(|h| inner[h..].find("</p>").map(|e| &inner[h..h + e + 4]));
            // A history with a figure every period is the seat's column of
            // the indicator's trend chart data table, when it has one.
            let charted = |h: &str| {
                !h.contains("missing") && html.contains(&format!("<figcaption id=\"trend-{id}\">"))
            };
            if let Some(h) = history.filter(|h| !charted(h)) {
                out.push_str(HISTORY_ONLY);
                out.push_str(h);
                out.push_str(DETAILS_END);
            }
            rest = &rest[start + len + DETAILS_END.len()..];
        }
        out.push_str(rest);
        out
    }

    /// The outline sprite of each set: `(file, contents)`.
    pub fn sprites(app: &App) -> Vec<(String, String)> {
        app.atlas
            .sets
            .iter()
            .filter_map(|s| {
                let o = s.outlines.as_ref()?;
                let mut svg = String::from("<svg xmlns=\"http://www.w3.org/2000/svg\">");
                for (seat, path) in s.seats.iter().zip(&o.paths) {
                    if let Some(p) = path {
                        svg.push_str(&format!(
                            "<path id=\"{}\" d=\"{p}\" vector-effect=\"non-scaling-stroke\"/>",
                            seat.code
                        ));
                    }
                }
                svg.push_str("</svg>\n");
                Some((format!("static/o{}.svg", s.set.id()), svg))
            })
            .collect()
    }

    /// `html` (the page written at `file`) with shared assets pointed at;
    /// also the large shapes it needs written: `(file, contents)`.
    pub fn apply(&self, html: &str, file: &str) -> (String, Vec<(String, String)>) {
        let up = "../".repeat(file.matches('/').count());
        let mut files = Vec::new();
        let mut out = String::with_capacity(html.len() / 2);
        let mut rest = html;
        while let Some(at) = rest.find("<path d=\"") {
            let start = at + "<path d=\"".len();
            let Some(len) = rest[start..].find('"') else {
                break;
            };
            let d = &rest[start..start + len];
            out.push_str(&rest[..at]);
            if let Some((set, code)) = self.outlines.get(d) {
                out.push_str(&format!("<use href=\"{up}static/o{set}.svg#{code}\""));
                // The sprite's path has the stroke's vector effect itself.
                rest = &rest[start + len + 1..];
                if let Some(end) = rest.find("/>") {
                    out.push_str(&rest[..end].replace(NON_SCALING, ""));
                    rest = &rest[end..];
                }
                continue;
            } else if d.len() >= LARGE_PATH {
                let h = hash(d);
                let name = format!("static/shapes/{h}.svg");
                files.push((
                    name.clone(),
                    format!(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\"><path id=\"p\" d=\"{d}\"/></svg>\n"
                    ),
                ));
                out.push_str(&format!("<use href=\"{up}{name}#p\""));
            } else {
                out.push_str(&rest[at..start + len + 1]);
                rest = &rest[start + len + 1..];
                continue;
            }
            // The element's other attributes are kept; `<path …/>` and
            // `<use …/>` close alike.
            rest = &rest[start + len + 1..];
        }
        out.push_str(rest);
        out = hexes_used(&out);
        out = fills_by_class(&out);
        if file.starts_with("constituency/") {
            out = self.link_caveats(&out);
        }
        (out, files)
    }
}

/// The hex every `<use href="#hx">` draws, centred on (0, 0).
fn hex_def() -> String {
    let w = crate::svg::HEX * 3f64.sqrt() / 2.0;
    let h = crate::svg::HEX;
    format!(
        "<defs><polygon id=\"hx\" points=\"0,{:.1} {w:.1},{:.1} {w:.1},{:.1} 0,{h:.1} {:.1},{:.1} {:.1},{:.1}\"/></defs>",
        -h,
        -h / 2.0,
        h / 2.0,
        -w,
        h / 2.0,
        -w,
        -h / 2.0
    )
}

/// The centre of a hex drawn by `svg::hex_map` or `svg::locator` (six
/// `x,y` points around it, as `hex_points` writes them), or `None` for any
/// other polygon.
fn hex_centre(points: &str) -> Option<(f64, f64)> {
    let pts: Vec<(f64, f64)> = points
        .split(' ')
        .map(|p| {
            let (x, y) = p.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
        .collect::<Option<_>>()?;
    if pts.len() != 6 {
        return None;
    }
    let h = crate::svg::HEX;
    let w = h * 3f64.sqrt() / 2.0;
    let (cx, cy) = (pts[0].0, pts[0].1 + h);
    let want = [
        (0.0, -h),
        (w, -h / 2.0),
        (w, h / 2.0),
        (0.0, h),
        (-w, h / 2.0),
        (-w, -h / 2.0),
    ];
    pts.iter()
        .zip(want)
        .all(|(p, d)| (p.0 - cx - d.0).abs() < 0.11 && (p.1 - cy - d.1).abs() < 0.11)
        .then_some((cx, cy))
}

/// A page with each hex of its hex maps drawn as `<use href="#hx" x y>`
/// of one hex defined once in the page (inside the first map that has
/// one), its other attributes kept: the hex map's largest part is the six
/// points of each of its 650 hexes.
fn hexes_used(html: &str) -> String {
    const OPEN: &str = "<polygon points=\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut defined = false;
    while let Some(at) = rest.find(OPEN) {
        let start = at + OPEN.len();
        let Some(len) = rest[start..].find('"') else {
            break;
        };
        let Some((x, y)) = hex_centre(&rest[start..start + len]) else {
            out.push_str(&rest[..start + len]);
            rest = &rest[start + len..];
            continue;
        };
        let before = &rest[..at];
        if !defined {
            // Right after the opening tag of the svg holding this hex.
            let svg = before
                .rfind("<svg")
                .and_then(|s| before[s..].find('>').map(|e| s + e + 1));
            match svg {
                Some(e) => {
                    out.push_str(&before[..e]);
                    out.push_str(&hex_def());
                    out.push_str(&before[e..]);
                }
                None => out.push_str(before),
            }
            defined = true;
        } else {
            out.push_str(before);
        }
        out.push_str(&format!("<use href=\"#hx\" x=\"{x:.1}\" y=\"{y:.1}\""));
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// The maps' fills (the five colours of the fifths and "no data") as
/// classes of `static/style.css` (`use.v0` … `use.v5`): every seat of a
/// hex or boundary map is a `<use>` with one of them.
const FILLS: [(&str, &str); 6] = [
    (" fill=\"#440154\"", "v0"),
    (" fill=\"#3b528b\"", "v1"),
    (" fill=\"#21918c\"", "v2"),
    (" fill=\"#5ec962\"", "v3"),
    (" fill=\"#fde725\"", "v4"),
    (" fill=\"#e6e6e6\"", "v5"),
];

/// A page with each `<use …>` filled with a map colour given that colour's
/// class instead (a `<use>` that has a class already is left as it is).
fn fills_by_class(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find("<use ") {
        out.push_str(&rest[..at]);
        let Some(len) = rest[at..].find('>') else {
            break;
        };
        let tag = &rest[at..at + len + 1];
        match FILLS.iter().find(|(f, _)| tag.contains(f)) {
            Some((fill, class)) if !tag.contains(" class=") => {
                out.push_str(&format!("<use class=\"{class}\" "));
                out.push_str(&tag["<use ".len()..].replacen(fill, "", 1));
            }
            _ => out.push_str(tag),
        }
        rest = &rest[at + len + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared() -> Shared {
        let mut outlines = HashMap::new();
        outlines.insert("M1 1l1 0 0 1z".to_owned(), ("2024", "E1".to_owned()));
        Shared { outlines }
    }

    #[test]
    fn outlines_and_large_paths_are_used_from_shared_files() {
        let big = format!("M0 0l{}z", "1 1".repeat(2_000));
        let html = format!(
            r##"<svg><a href="#"><path d="M1 1l1 0 0 1z" fill="#fff" vector-effect="non-scaling-stroke"/></a><path d="M5 5l1 1z"/><path d="{big}" fill="#eee"/></svg>"##
        );
        let (out, files) = shared().apply(&html, "indicator/x-2024.html");
        assert!(out.contains(r##"<use href="../static/o2024.svg#E1" fill="#fff"/>"##));
        // A map colour becomes its class.
        let (classed, _) = shared().apply(
            r##"<svg><use href="#hx" x="1" y="2" fill="#21918c"/><use href="#sp-x" class="x" x="3" fill="#21918c"/></svg>"##,
            "indicator/x-2024.html",
        );
        assert!(
            classed.contains(r##"<use class="v2" href="#hx" x="1" y="2"/>"##),
            "{classed}"
        );
        assert!(
            classed.contains(r##"<use href="#sp-x" class="x" x="3" fill="#21918c"/>"##),
            "{classed}"
        );
        assert!(out.contains(r#"<path d="M5 5l1 1z"/>"#), "small paths stay");
        assert_eq!(files.len(), 1);
        assert!(out.contains(&format!(
            "<use href=\"../{}#p\" fill=\"#eee\"/>",
            files[0].0
        )));
        assert!(files[0].1.contains(&big));
    }

    #[test]
    fn the_fill_classes_are_the_maps_colours_in_the_stylesheet() {
        let colours: Vec<&str> = crate::svg::VIRIDIS5
            .iter()
            .copied()
            .chain([crate::svg::NO_DATA])
            .collect();
        for ((fill, class), colour) in FILLS.iter().zip(colours) {
            assert_eq!(*fill, format!(" fill=\"{colour}\""));
            let rule = format!("use.{class} {{ fill: {colour}; }}");
            assert!(crate::pages::STYLESHEET.contains(&rule), "{rule}");
        }
    }

    #[test]
    fn hexes_are_one_shape_used_at_each_centre() {
        let mut a = String::new();
        crate::svg::hex_points_for_test(158.7, 374.0, &mut a);
        let mut b = String::new();
        crate::svg::hex_points_for_test(20.25, 30.0, &mut b);
        let html = format!(
            r##"<p>x</p><svg class="hexmap" viewBox="0 0 9 9"><g><a href="a"><title>A</title><polygon points="{a}" fill="#fff"/></a><polygon points="{b}" fill="#000" stroke="#111"/><polygon points="1,1 2,2 3,1" fill="red"/></g></svg>"##
        );
        let (out, _) = shared().apply(&html, "indicator/x-2024.html");
        assert_eq!(out.matches("<defs>").count(), 1);
        assert!(out.contains(r##"<svg class="hexmap" viewBox="0 0 9 9"><defs><polygon id="hx" points="0,-6.0 5.2,-3.0 5.2,3.0 0,6.0 -5.2,3.0 -5.2,-3.0"/></defs><g>"##), "{out}");
        assert!(
            out.contains(
                r##"<title>A</title><use href="#hx" x="158.7" y="374.0" fill="#fff"/></a>"##
            ),
            "{out}"
        );
        assert!(
            out.contains(r##"<use href="#hx" x="20.2" y="30.0" fill="#000" stroke="#111"/>"##)
                || out
                    .contains(r##"<use href="#hx" x="20.3" y="30.0" fill="#000" stroke="#111"/>"##),
            "{out}"
        );
        assert!(
            out.contains(r#"<polygon points="1,1 2,2 3,1" fill="red"/>"#),
            "other polygons stay"
        );
    }

    #[test]
    fn profiles_leave_caveats_to_the_indicator_pages() {
        let html = "<tr id=\"i-x_share\"><th><details><summary>Caveats and history</summary><p>Care &#38; attention.</p><p>Every period: 2020 1; 2021 2</p><p><a href=\"/d.csv\">Download this indicator (CSV)</a></p></details></th></tr>";
        let (out, _) = shared().apply(html, "constituency/E1-2024.html");
        assert_eq!(out, "<tr id=\"i-x_share\"><th><details><summary>History</summary><p>Every period: 2020 1; 2021 2</p></details></th></tr>");
        let short = "<tr id=\"i-y\"><th><a href=\"/i\">Y</a><details><summary>Caveats and history</summary><p>Care.</p><p><a href=\"/d.csv\">Download this indicator (CSV)</a></p></details></th></tr>";
        let (out, _) = shared().apply(short, "constituency/E1-2024.html");
        assert_eq!(out, "<tr id=\"i-y\"><th><a href=\"/i\">Y</a></th></tr>");
        // With a trend chart of the same periods, the history goes; with a
        // missing period (not in the chart), it stays.
        let charted = format!("{html}<figcaption id=\"trend-x_share\">");
        let (out, _) = shared().apply(&charted, "constituency/E1-2024.html");
        assert!(!out.contains("Every period"), "{out}");
        let gap = charted.replace("2020 1", "2020: missing");
        let (out, _) = shared().apply(&gap, "constituency/E1-2024.html");
        assert!(out.contains("Every period: 2020: missing; 2021 2"), "{out}");
        let (same, _) = shared().apply(html, "indicator/x-2024.html");
        assert_eq!(same, html, "only profiles repeat every caveat");
    }
}
