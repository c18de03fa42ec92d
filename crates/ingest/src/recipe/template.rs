//! `stemgap contribute template`: a CSV with every code and name of a
//! geography and an empty value column, and a recipe that is valid once
//! the values are filled in.

use super::Geography;
use stemgap_geography::apportion::is_small_area_of;
use stemgap_geography::Registry;

/// Why no template can be written for a geography, if none can: MSOA 2021
/// codes and names are not in the registry (they come only with the BRES
/// and Census TS063 files), so there is no list of them to write.
pub fn unavailable(geography: Geography) -> Option<&'static str> {
    (geography == Geography::Msoa21).then_some(
        "msoa21 templates are not available: stemgap's registry has no list of MSOA 2021 codes and names (they come only with the BRES and Census TS063 files), so there are none to write. Write data.csv with an E02/W02 code column and an MSOA 2021 name column yourself (docs/contributing-data.md, geography = \"msoa21\")",
    )
}

/// The areas of a geography, in code order: (code, name).
pub fn areas(reg: &Registry, geography: Geography) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = match geography {
        Geography::Pcon2024 | Geography::Pcon2010 => reg
            .seats(geography.seat_set().expect("a seat set"))
            .iter()
            .map(|s| (s.code.to_string(), s.name.clone()))
            .collect(),
        Geography::Lad => reg
            .areas
            .iter()
            .filter(|a| a.kind == stemgap_core::AreaKind::Lad23)
            .map(|a| (a.code.clone(), a.name.clone()))
            .collect(),
        Geography::Lsoa11 | Geography::Dz11 | Geography::Soa01 => {
            let kind = geography.small_area_kind().expect("a small area");
            reg.areas
                .iter()
                .filter(|a| a.kind == kind && is_small_area_of(&a.code, kind))
                .map(|a| (a.code.clone(), a.name.clone()))
                .collect()
        }
        // Located rows are things, not areas: the contributor lists them.
        // MSOA 2021 codes and names are not in the registry (see
        // [`unavailable`]).
        Geography::Postcode | Geography::Point | Geography::Msoa21 => Vec::new(),
    };
    v.sort();
    v.dedup_by(|a, b| a.0 == b.0);
    v
}

/// Quotes a CSV field when it needs it.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// The template CSV: `code,name,<indicator>` with one row per area; for
/// located rows (`postcode`, `point`), a header alone (`name,postcode,…` or
/// `name,longitude,latitude,…`), one row per thing to be filled in.
pub fn csv(reg: &Registry, geography: Geography, indicator: &str) -> String {
    match geography {
        Geography::Postcode => return format!("name,postcode,{}\n", field(indicator)),
        Geography::Point => return format!("name,longitude,latitude,{}\n", field(indicator)),
        _ => {}
    }
    let mut s = format!("code,name,{}\n", field(indicator));
    for (code, name) in areas(reg, geography) {
        s.push_str(&format!("{},{},\n", field(&code), field(&name)));
    }
    s
}

/// The recipe skeleton for the template: valid as written once every value
/// is filled in (or marked `c`, `x` or `..`). Titles and definitions are to
/// be replaced by the contributor's own words.
pub fn recipe(geography: Geography, indicator: &str) -> String {
    let vintage = if geography == Geography::Lad {
        "vintage = 2023\n"
    } else {
        ""
    };
    let located = match geography {
        Geography::Postcode => concat!(
            "postcode_column = \"postcode\"\n",
            "# id_column = \"name\"   # if each row's name is unique\n",
            "# complete = true      # if the list holds every such thing in its nations (empty seats get 0)\n",
        ),
        Geography::Point => concat!(
            "longitude_column = \"longitude\"\n",
            "latitude_column = \"latitude\"\n",
            "# id_column = \"name\"   # if each row's name is unique\n",
            "# complete = true      # if the list holds every such thing in its nations (empty seats get 0)\n",
        ),
        _ => "code_column = \"code\"\n",
    };
    let nations = match geography {
        // The postcode lookup covers Great Britain.
        Geography::Lsoa11 | Geography::Msoa21 => r#"["england", "wales"]"#,
        Geography::Dz11 => r#"["scotland"]"#,
        Geography::Soa01 => r#"["northern_ireland"]"#,
        Geography::Postcode => r#"["england", "wales", "scotland"]"#,
        _ => r#"["england", "wales", "scotland", "northern_ireland"]"#,
    };
    format!(
        r#"# A contribution to stemgap: this recipe and data.csv, in one folder.
# Check it:  stemgap contribute check --recipe recipe.toml --data data.csv --sources DIR
# Build it:  stemgap build --sources DIR --contrib FOLDER-OF-CONTRIBUTIONS
# Every field is documented in docs/contributing-data.md.
format = 1

[source]
id = "contrib_{indicator}"
title = "Contributed figures for {indicator}"
data = "data.csv"
geography = "{geo}"
{vintage}{located}period = {{ fixed = "2024" }}
contributor = "Your organisation"
licence = "OGL-UK-3.0"

[[indicator]]
id = "{indicator}"
title = "{indicator} (say what is counted)"
definition = "What exactly is counted, where, when, over which denominator."
unit = "count"
direction = "neutral"
value = "{indicator}"
markers = ["c", "x", ".."]
nations = {nations}
caveats = ""
"#,
        geo = geography.id(),
    )
}
