//! Leaner markup for the static site's pages, with the same document.
//!
//! The server's pages compress well on the wire; a static host stores them
//! as they are, and most of a profile or indicator page is markup repeated
//! row after row. This pass writes the same DOM in fewer bytes, as the HTML
//! standard allows (<https://html.spec.whatwg.org/#optional-tags>):
//!
//! - end tags the parser implies are left out: `</td>` and `</th>` before
//!   another cell or the end of the row, `</tr>` before another row or the
//!   end of its table section, `</li>` before another item or the end of
//!   the list, `</option>` before another option or the end of the select
//!   (whitespace between them is kept, inside the cell or item);
//! - attribute values made only of letters, digits, `-`, `_` and `.` lose
//!   their quotes (never a link's `href`, `src` or `action` or an `id`, and never the
//!   last value of a self-closing `<… />` tag, where the `/` would join it);
//! - `focusable="false"` (an attribute only Internet Explorer read) is
//!   dropped.
//!
//! Comments, text, `<script>` and `<style>` contents are copied unchanged.

/// End tags that may be left out, and the tags (`<x` or `</x`) that, next
/// after optional whitespace, let them be.
const OPTIONAL_END: [(&str, &[&str]); 5] = [
    (
        "td",
        &[
            "<td", "<th", "</tr>", "<tr", "</tbody>", "</thead>", "</table>",
        ],
    ),
    (
        "th",
        &[
            "<td", "<th", "</tr>", "<tr", "</tbody>", "</thead>", "</table>",
        ],
    ),
    (
        "tr",
        &[
            "<tr", "</tbody>", "</thead>", "</tfoot>", "</table>", "<tbody",
        ],
    ),
    ("li", &["<li", "</ul>", "</ol>"]),
    ("option", &["<option", "</select>"]),
];

/// Attributes whose values stay quoted (links and anchors, which the
/// crawler and readers find by `name="`).
const KEEP_QUOTED: [&str; 4] = ["href", "src", "action", "id"];

/// Whether `next` (the rest of the page after an end tag, whitespace
/// skipped) starts with one of `follow`, as a whole tag name.
fn followed_by(next: &str, follow: &[&str]) -> bool {
    follow.iter().any(|f| {
        next.starts_with(f)
            && (f.ends_with('>')
                || next[f.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c == '>' || c.is_ascii_whitespace()))
    })
}

/// A start tag's text (`<name …>` or `<name …/>`) written leaner.
fn start_tag(tag: &str, out: &mut String) {
    let self_closing = tag.ends_with("/>");
    let inner = &tag[1..tag.len() - if self_closing { 2 } else { 1 }];
    // The name, then attributes.
    let name_end = inner
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(inner.len());
    out.push('<');
    out.push_str(&inner[..name_end]);
    let mut rest = &inner[name_end..];
    loop {
        let trimmed = rest.trim_start();
        if trimmed.is_empty() {
            break;
        }
        // name[="value"]
        let name_len = trimmed
            .find(|c: char| c == '=' || c.is_ascii_whitespace())
            .unwrap_or(trimmed.len());
        let name = &trimmed[..name_len];
        let after = &trimmed[name_len..];
        if let Some(v) = after.strip_prefix("=\"") {
            let Some(end) = v.find('"') else {
                // Not something this pass understands: keep it as it is.
                out.push(' ');
                out.push_str(trimmed);
                break;
            };
            let value = &v[..end];
            rest = &v[end + 1..];
            if name == "focusable" && value == "false" {
                continue;
            }
            let last = rest.trim().is_empty();
            let bare = !value.is_empty()
                && value
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                && !KEEP_QUOTED.contains(&name)
                && (!last || !self_closing);
            out.push(' ');
            out.push_str(name);
            if bare {
                out.push('=');
                out.push_str(value);
            } else {
                out.push_str("=\"");
                out.push_str(value);
                out.push('"');
            }
        } else if after.starts_with('=') {
            // Single-quoted or unquoted already: keep the rest as written.
            out.push(' ');
            out.push_str(trimmed);
            break;
        } else {
            out.push(' ');
            out.push_str(name);
            rest = after;
        }
    }
    out.push_str(if self_closing { "/>" } else { ">" });
}

/// `html` with the same document in fewer bytes (see the module's text).
pub fn lean(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map_or(rest.len(), |e| e + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        }
        // The tag's end: the first `>` outside a quoted value.
        let mut quoted = false;
        let Some(end) = rest.char_indices().find_map(|(i, c)| {
            match c {
                '"' => quoted = !quoted,
                '>' if !quoted => return Some(i),
                _ => {}
            }
            None
        }) else {
            break;
        };
        let tag = &rest[..=end];
        let after = &rest[end + 1..];
        if let Some(name) = tag.strip_prefix("</").and_then(|t| t.strip_suffix('>')) {
            let next = after.trim_start();
            let optional = OPTIONAL_END
                .iter()
                .any(|(n, follow)| *n == name && followed_by(next, follow));
            if !optional {
                out.push_str(tag);
            }
        } else if tag[1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            start_tag(tag, &mut out);
            let name: String = tag[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            rest = after;
            // Raw text elements: their contents are copied as they are
            // (the end tag is copied on the next turn).
            if name == "script" || name == "style" {
                let e = after.find(&format!("</{name}")).unwrap_or(after.len());
                out.push_str(&after[..e]);
                rest = &after[e..];
            }
            continue;
        } else {
            out.push_str(tag);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::lean;

    #[test]
    fn optional_end_tags_are_left_out_where_the_parser_implies_them() {
        let html = "<table><thead><tr><th scope=\"col\">A</th><th scope=\"col\">B</th></tr></thead>\n<tbody><tr><td class=\"num\">1</td><td>x</td></tr>\n<tr><td>2</td><td></td></tr>\n</tbody></table><ul><li>a</li>\n<li>b</li></ul><p>t</p>";
        assert_eq!(
            lean(html),
            "<table><thead><tr><th scope=col>A<th scope=col>B</thead>\n<tbody><tr><td class=num>1<td>x\n<tr><td>2<td>\n</tbody></table><ul><li>a\n<li>b</ul><p>t</p>"
        );
    }

    #[test]
    fn links_and_self_closing_tags_keep_their_quotes() {
        let html = r#"<a href="index.html" class="brand">s</a><svg viewBox="0 0 1 2" aria-hidden="true" focusable="false"><rect x="1" height="6"/><path class="x" d="M1 1Z" /></svg><img src="a.png" alt="">"#;
        assert_eq!(
            lean(html),
            r#"<a href="index.html" class=brand>s</a><svg viewBox="0 0 1 2" aria-hidden=true><rect x=1 height="6"/><path class=x d="M1 1Z"/></svg><img src="a.png" alt="">"#
        );
    }

    #[test]
    fn text_scripts_styles_and_comments_are_copied() {
        let html = "<style>td > a { x: \"1\" }</style><script>if (a<b) {}</script><!-- <td> --><p>1 &lt; 2 \"q\"</p>";
        assert_eq!(lean(html), html);
    }

    #[test]
    fn an_end_tag_before_other_content_stays() {
        let html = "<table><tr><td>1</td></tr></table><p>x</p><td>a</td>b";
        assert_eq!(lean(html), "<table><tr><td>1</table><p>x</p><td>a</td>b");
    }
}
