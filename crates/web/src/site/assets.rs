//! Shared assets of the static site: what the server repeats in every page
//! (it compresses well on the wire) is written once as a file and pointed
//! at, so the site fits a free static host.
//!
//! - **Seat outlines.** Every boundary map draws the stored outline of each
//!   seat; in the static site each `<path d="…">` that is a seat's outline
//!   becomes `<use href="static/outlines-{set}.svg#{code}">` (one sprite per
//!   set, the same attributes kept, so fills and links are unchanged).
//! - **Large shapes.** Any other path of 4,000 characters or more (the
//!   locator's hex map of all seats, the same on every profile) is written
//!   once to `static/shapes/{hash}.svg` and used from there.
//! - **Caveats.** A profile repeats every indicator's caveats in its rows,
//!   the same on every profile; in the static site each row's caveats
//!   paragraph links to the indicator's entry on the vocabulary page
//!   (`vocab.html#{id}`), which holds them (the row's history stays).
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

/// What opens a profile row's caveats paragraph.
const CAVEATS: &str = "<summary>Caveats and history</summary><p>";
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

    /// A profile with each row's caveats paragraph (the first of its
    /// "Caveats and history") replaced by a link to the indicator's entry
    /// on the vocabulary page; the row's own history stays.
    fn link_caveats(&self, html: &str, up: &str) -> String {
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some(at) = rest.find(CAVEATS) {
            let start = at + CAVEATS.len();
            let Some(len) = rest[start..].find("</p>") else {
                break;
            };
            // The row's indicator: the last row opened before the paragraph.
            let id = rest[..at].rfind(ROW).map(|r| {
                let from = r + ROW.len();
                let to = rest[from..].find('"').map_or(from, |n| from + n);
                &rest[from..to]
            });
            out.push_str(&rest[..start - "<p>".len()]);
            match id.filter(|id| {
                !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            }) {
                Some(id) => out.push_str(&format!(
                    "<p><a href=\"{up}vocab.html#{id}\">This indicator's caveats</a> (in the vocabulary).</p>"
                )),
                None => out.push_str(&rest[start - "<p>".len()..start + len + "</p>".len()]),
            }
            rest = &rest[start + len + "</p>".len()..];
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
                Some((format!("static/outlines-{}.svg", s.set.id()), svg))
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
                out.push_str(&format!(
                    "<use href=\"{up}static/outlines-{set}.svg#{code}\""
                ));
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
        if file.starts_with("constituency/") {
            out = self.link_caveats(&out, &up);
        }
        (out, files)
    }
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
        assert!(out.contains(r##"<use href="../static/outlines-2024.svg#E1" fill="#fff"/>"##));
        assert!(out.contains(r#"<path d="M5 5l1 1z"/>"#), "small paths stay");
        assert_eq!(files.len(), 1);
        assert!(out.contains(&format!(
            "<use href=\"../{}#p\" fill=\"#eee\"/>",
            files[0].0
        )));
        assert!(files[0].1.contains(&big));
    }

    #[test]
    fn profiles_link_their_caveats() {
        let html = "<tr id=\"i-x_share\"><th><details><summary>Caveats and history</summary><p>Care &#38; attention.</p><p>Every period</p></details></th></tr>";
        let (out, _) = shared().apply(html, "constituency/E1-2024.html");
        assert!(out.contains("href=\"../vocab.html#x_share\""));
        assert!(out.contains("<p>Every period</p>"));
        let (same, _) = shared().apply(html, "indicator/x-2024.html");
        assert_eq!(same, html, "only profiles repeat every caveat");
    }
}
