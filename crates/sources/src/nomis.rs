//! Nomis "report" layout, as Nomis exports XLSX: a few title rows, then one
//! block per period. Each block has a `date` row (`Jan 2017-Dec 2017`), an
//! `Area` header row naming each measure once across its sub-columns, a
//! sub-header row (`number`, `Flags`, `conf`), and data rows (areas as
//! `ladu:Cotswold`, `country:England`, …) until a blank row.
//!
//! Some exports (UK Business Counts) have no sub-header row: each header
//! cell is then a measure with no confidence column. Rows between `date` and
//! `Area` (`industry`, `legal status`, `confidence`) are kept as metadata.
//!
//! Values may be suppression markers (`!` disclosive, `~` fewer than 500,
//! `-` missing; confidence intervals `*` unreliable): they become
//! [`Cell::Missing`], never zero.

use crate::{parse_cell, Grid, Problem, SourceError, XCell};
use stemgap_core::Cell;

/// One measure (column group) of a block.
#[derive(Debug, Clone, PartialEq)]
pub struct NomisMeasure {
    pub label: String,
    pub number_col: usize,
    pub conf_col: Option<usize>,
}

/// One period's block.
#[derive(Debug, Clone, PartialEq)]
pub struct NomisBlock {
    /// As written in the `date` row, e.g. `Jan 2017-Dec 2017` or `2018`.
    pub period: String,
    /// The `date` row (0-based grid row).
    pub date_row: usize,
    /// `(label, value)` rows between `date` and `Area`, e.g. `("industry", "2 : Mining…")`.
    pub metadata: Vec<(String, String)>,
    /// The grid row (0-based) of each `metadata` entry.
    pub metadata_rows: Vec<usize>,
    /// The `Area` header row (0-based grid row).
    pub header_row: usize,
    pub measures: Vec<NomisMeasure>,
    /// Data rows (0-based grid rows) with the area label of each.
    pub rows: Vec<(usize, String)>,
}

/// A value with its 95% confidence half-width where published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NomisValue {
    pub value: Cell,
    pub conf: Option<Cell>,
}

fn cell_of(grid: &Grid, row: usize, col: usize) -> Result<Cell, SourceError> {
    match grid.get(row, col) {
        XCell::Empty => Ok(Cell::Missing(stemgap_core::Marker::Blank)),
        XCell::Number(v) => Ok(Cell::Value(*v)),
        XCell::Text(s) => parse_cell(s).map_err(|p| grid.error(row, col, p)),
    }
}

impl NomisBlock {
    pub fn value(
        &self,
        grid: &Grid,
        row: usize,
        measure: &NomisMeasure,
    ) -> Result<NomisValue, SourceError> {
        Ok(NomisValue {
            value: cell_of(grid, row, measure.number_col)?,
            conf: measure
                .conf_col
                .map(|c| cell_of(grid, row, c))
                .transpose()?,
        })
    }

    /// The measure whose label contains `needle`.
    pub fn measure(&self, needle: &str) -> Option<&NomisMeasure> {
        self.measures.iter().find(|m| m.label.contains(needle))
    }
}

fn text(grid: &Grid, r: usize, c: usize) -> Option<&str> {
    grid.get(r, c).text().map(str::trim)
}

/// A label cell as text; whole numbers (a year) are written without a decimal point.
fn label(grid: &Grid, r: usize, c: usize) -> Option<String> {
    match grid.get(r, c) {
        XCell::Text(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        XCell::Number(v) if v.fract() == 0.0 => Some(format!("{v:.0}")),
        XCell::Number(v) => Some(v.to_string()),
        _ => None,
    }
}

/// Splits a sheet into its blocks, checking each block's headers.
pub fn nomis_blocks(grid: &Grid) -> Result<Vec<NomisBlock>, SourceError> {
    let mut blocks = Vec::new();
    let mut r = 0;
    while r < grid.height() {
        if text(grid, r, 0) != Some("date") {
            r += 1;
            continue;
        }
        let period = label(grid, r, 1).ok_or_else(|| {
            grid.error(
                r,
                1,
                Problem::Invalid("a `date` row without a period".into()),
            )
        })?;
        let header = (r + 1..grid.height().min(r + 10))
            .find(|&h| text(grid, h, 0) == Some("Area"))
            .ok_or_else(|| {
                grid.error(
                    r,
                    0,
                    Problem::Invalid(format!("block {period:?} has no `Area` header row")),
                )
            })?;
        let (metadata, metadata_rows) = (r + 1..header)
            .filter_map(|m| Some(((text(grid, m, 0)?.to_owned(), label(grid, m, 1)?), m)))
            .unzip();
        let sub = header + 1;
        let width = grid.row(header).len().max(grid.row(sub).len());
        let mut measures: Vec<NomisMeasure> = Vec::new();
        let has_sub_header = (1..width).any(|c| text(grid, sub, c) == Some("number"));
        let first_data = if has_sub_header { sub + 1 } else { sub };
        if !has_sub_header {
            for c in 1..width {
                if let Some(l) = label(grid, header, c) {
                    measures.push(NomisMeasure {
                        label: l,
                        number_col: c,
                        conf_col: None,
                    });
                }
            }
        }
        for c in (1..width).filter(|_| has_sub_header) {
            match text(grid, sub, c) {
                Some("number") => {
                    let label = text(grid, header, c).ok_or_else(|| {
                        grid.error(
                            header,
                            c,
                            Problem::Invalid("a `number` column without a measure label".into()),
                        )
                    })?;
                    measures.push(NomisMeasure {
                        label: label.to_owned(),
                        number_col: c,
                        conf_col: None,
                    });
                }
                Some("conf") => match measures.last_mut() {
                    Some(m) if m.conf_col.is_none() => m.conf_col = Some(c),
                    _ => {
                        return Err(grid.error(
                            sub,
                            c,
                            Problem::Invalid("a `conf` column with no measure before it".into()),
                        ))
                    }
                },
                Some("Flags") | None => {}
                Some(other) => {
                    return Err(grid.error(
                        sub,
                        c,
                        Problem::WrongHeader {
                            expected: "number, Flags or conf".into(),
                            found: other.into(),
                        },
                    ))
                }
            }
        }
        if measures.is_empty() {
            return Err(grid.error(
                sub,
                1,
                Problem::Invalid(format!("block {period:?} has no `number` columns")),
            ));
        }
        let mut rows = Vec::new();
        let mut d = first_data;
        while let Some(area) = text(grid, d, 0).filter(|s| !s.is_empty()) {
            if area == "date" {
                break;
            }
            rows.push((d, area.to_owned()));
            d += 1;
        }
        if rows.is_empty() {
            return Err(grid.error(
                first_data,
                0,
                Problem::Invalid(format!("block {period:?} has no data rows")),
            ));
        }
        blocks.push(NomisBlock {
            period,
            date_row: r,
            metadata,
            metadata_rows,
            header_row: header,
            measures,
            rows,
        });
        r = d;
    }
    if blocks.is_empty() {
        return Err(grid.error(0, 0, Problem::Invalid("no Nomis `date` block found".into())));
    }
    Ok(blocks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Location;
    use stemgap_core::Marker;

    fn t(s: &str) -> XCell {
        XCell::Text(s.into())
    }
    fn n(v: f64) -> XCell {
        XCell::Number(v)
    }
    const E: XCell = XCell::Empty;

    fn block(period: &str, a: XCell, b: XCell) -> Vec<Vec<XCell>> {
        vec![
            vec![t("date"), t(period)],
            vec![t("confidence"), t("95% confidence interval (+/-)")],
            vec![],
            vec![
                t("Area"),
                t("T09a:7 (Science professionals)"),
                E,
                E,
                t("T09a:8 (Health)"),
                E,
                E,
            ],
            vec![
                E,
                t("number"),
                t("Flags"),
                t("conf"),
                t("number"),
                t("Flags"),
                t("conf"),
            ],
            vec![t("ladu:Northam"), n(1200.0), E, n(300.0), a, E, t("*")],
            vec![t("ladu:Southam"), b, E, t("!"), n(50.0), E, n(10.0)],
            vec![],
        ]
    }

    #[test]
    fn reads_blocks_measures_and_markers() {
        let mut rows = vec![vec![t("annual population survey")], vec![]];
        rows.extend(block("Jan 2021-Dec 2021", n(80.0), t("~")));
        rows.extend(block("Jan 2022-Dec 2022", t("-"), n(7.0)));
        let g = Grid::from_rows(Location::file("aps.xlsx").in_sheet("Data"), rows);
        let blocks = nomis_blocks(&g).unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].period, "Jan 2022-Dec 2022");
        let sci = blocks[0].measure("Science").unwrap().clone();
        assert_eq!((sci.number_col, sci.conf_col), (1, Some(3)));
        let (row, area) = &blocks[0].rows[1];
        assert_eq!(area, "ladu:Southam");
        let v = blocks[0].value(&g, *row, &sci).unwrap();
        assert_eq!(v.value, Cell::Missing(Marker::Tilde));
        assert_eq!(v.conf, Some(Cell::Missing(Marker::Star)));
        let health = blocks[1].measure("Health").unwrap().clone();
        let v = blocks[1].value(&g, blocks[1].rows[0].0, &health).unwrap();
        assert_eq!(v.value, Cell::Missing(Marker::Dash));
    }

    #[test]
    fn reads_blocks_without_sub_header_with_metadata() {
        let rows = vec![
            vec![t("date"), n(2018.0)],
            vec![t("industry"), t("2 : Mining")],
            vec![],
            vec![t("Area"), t("Total"), t("Micro (0 to 9)")],
            vec![t("ladu:Northam"), n(100.0), n(90.0)],
            vec![t("date"), n(2019.0)],
            vec![t("industry"), t("3 : Manufacturing")],
            vec![t("Area"), t("Total"), t("Micro (0 to 9)")],
            vec![t("ladu:Northam"), n(101.0), t("c")],
        ];
        let g = Grid::from_rows(Location::file("ukbc.xlsx"), rows);
        let b = nomis_blocks(&g).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].period, "2018");
        assert_eq!(
            b[1].metadata,
            vec![("industry".to_owned(), "3 : Manufacturing".to_owned())]
        );
        assert_eq!((b[1].date_row, b[1].metadata_rows.clone()), (5, vec![6]));
        assert_eq!(b[1].header_row, 7);
        let micro = b[1].measure("Micro").unwrap().clone();
        assert_eq!(
            b[1].value(&g, 8, &micro).unwrap().value,
            Cell::Missing(Marker::Confidential)
        );
        assert_eq!(b[0].value(&g, 4, &micro).unwrap().conf, None);
    }

    #[test]
    fn bad_layout_names_the_cell() {
        let mut rows = block("Jan 2021-Dec 2021", n(1.0), n(2.0));
        rows[4][3] = t("ci");
        let g = Grid::from_rows(Location::file("aps.xlsx").in_sheet("Data"), rows);
        let e = nomis_blocks(&g).unwrap_err();
        assert_eq!(e.to_string(), "aps.xlsx, sheet \"Data\", row 5, column \"D\": header is \"ci\", expected \"number, Flags or conf\"");
        let mut rows = block("Jan 2021-Dec 2021", n(1.0), n(2.0));
        rows[5][1] = t("12x");
        let g = Grid::from_rows(Location::file("aps.xlsx"), rows);
        let b = nomis_blocks(&g).unwrap();
        let m = b[0].measures[0].clone();
        let e = b[0].value(&g, 5, &m).unwrap_err();
        assert_eq!(
            e.to_string(),
            "aps.xlsx, row 6, column \"B\": not a number: \"12x\""
        );
    }
}
