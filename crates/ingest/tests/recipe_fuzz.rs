//! A seeded mutation fuzzer (stable Rust, no fuzzing crate) over the
//! declared-source engine: recipe TOML parsing, the CSV reader as a recipe
//! drives it, and placement on seats (seat, authority and small-area rows,
//! through the one apportioner), on the test observatory's registry.
//!
//! Seeds (CSV, XLSX, JSON and Parquet): the hand-made contributions (`tests/fixtures/contrib/`,
//! among them rows located by postcode and by point), the
//! invalid ones (`tests/fixtures/contrib-invalid/`) and every built-in
//! recipe with the observatory's file for it (the Census 2021 long tables
//! among them, and DfE's authority tables of counts), and workbooks as
//! the two writers lay them out (inline strings; a shared strings table,
//! whose strings are mutated too), and the seat contribution as JSON
//! records and as a Parquet file (`reader = "json"`, `"parquet"`), and a
//! Nomis report-layout export (`reader = "nomis"`) as a workbook (its
//! sheet or strings mutated) and as CSV text. Each
//! iteration mutates a seed's data and/or recipe (byte flips, inserted
//! tokens — quotes, separators, line ends, markers, huge and odd numbers,
//! BOMs, known codes —, deleted, duplicated and spliced ranges, truncation)
//! and runs it. It fails on a panic, on an iteration slower than 5 s, or on
//! an iteration allocating more than 512 MiB at once (a counting global
//! allocator), and prints the seed and input that did it.
//!
//! `cargo test -p stemgap-ingest --test recipe_fuzz` runs a few seconds;
//! `STEMGAP_FUZZ_SECS=600 cargo test --release -p stemgap-ingest --test
//! recipe_fuzz -- --ignored --nocapture` the long run, with its figures.
//! `STEMGAP_FUZZ_READER=json` (or `csv`, `xlsx`, `parquet`, `nomis`) gives
//! the whole run to one reader's inputs, so each can be run for its own
//! ten minutes.
//! An allocation the system refuses aborts the process before anything is
//! printed: with `STEMGAP_FUZZ_DUMP=DIR` each input is written to DIR
//! (`recipe.toml`, `data`) before it runs, so the last one is the culprit.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use stemgap_ingest::build::Inputs;
use stemgap_ingest::recipe::{self, Contribution, Limits, Recipe};
use stemgap_ingest::Registry;

mod common;
use common::{shared_sheet_xml, sheet_xml, workbook, workbook_of, workbook_with};

/// Counts live and peak heap bytes.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(l) };
        if !p.is_null() {
            let now = LIVE.fetch_add(l.size(), Ordering::Relaxed) + l.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) };
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&str] = &[
    ",",
    "\"",
    "\"\"",
    "\n",
    "\r\n",
    "\r",
    "\u{feff}",
    "~",
    "c",
    "[c]",
    "x",
    "..",
    "low",
    "*",
    "-",
    "",
    "NA",
    "1e308",
    "-1e308",
    "1e-320",
    "NaN",
    "inf",
    "0",
    "-0",
    "1,234",
    "1,23",
    "99999999999999999999",
    "0.5",
    "1.5",
    "-3",
    "E14001401",
    "E14001402",
    "W07000101",
    "E06000091",
    "E07000187",
    "E01020001",
    "W01000902",
    "S14000031",
    "N05000011",
    "E14000801",
    "202324",
    "2024",
    "-8",
    "[source.long]",
    "categories = [",
    "denominator_categories = [1]",
    "2021/22",
    "=1+1",
    "@SUM(A1)",
    "../",
    "/etc/passwd",
    "é",
    "\0",
    "\t",
    " ",
    "code",
    "value",
    "[[indicator]]",
    "[source]",
    "format = 1",
    "id = \"x\"",
    "unit = \"share\"",
    "geography = \"lad\"",
    "vintage = 2019",
    "nations = [\"wales\"]",
    "markers = [\"*\"]",
    "suppressed_range = [0, 4]",
    "aggregation = \"mean\"",
    "complete = true",
    "strict_columns = true",
    "period = { column = \"year\" }",
    "period = { columns_prefix = \"Entry rate→\" }",
    "replaces = \"F3\"",
    "skip_lines = 3",
    // Tables of counts by authority (the DfE recipes).
    "z",
    "skip_codes = [\"z\"]",
    "every_category = false",
    "interval = \"always\"",
    "method_caveat = false",
    "exclude = [\"2021/22\"]",
    "per_1000_of = \"population_19_plus\"",
    "unit = \"count\"",
    "localAuthorityDistrict",
    "Total",
    // Located rows (postcodes, points).
    "geography = \"postcode\"",
    "geography = \"point\"",
    "postcode_column = \"postcode\"",
    "id_column = \"club\"",
    "NE2 4EF",
    "BT1 1AA",
    "NE1 9ZZ",
    "AA1 1AA",
    "ZZ99 9ZZ",
    "-180",
    "90.0000001",
    "51.5",
    "-8.7",
];

fn mutate(rng: &mut Rng, input: &[u8], others: &[Vec<u8>]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(9) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            1 | 2 => {
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                v.splice(at..at, t.iter().copied());
            }
            3 if !v.is_empty() => {
                let end = (at + rng.below(64)).min(v.len());
                v.drain(at.min(end)..end);
            }
            4 if !v.is_empty() => {
                // Duplicate a range (a repeated row, a repeated column).
                let start = rng.below(v.len());
                let end = (start + rng.below(200)).min(v.len());
                let copy = v[start..end].to_vec();
                v.splice(at..at, copy);
            }
            5 => v.truncate(at),
            6 if !others.is_empty() => {
                // Splice in part of another seed.
                let o = &others[rng.below(others.len())];
                if !o.is_empty() {
                    let s = rng.below(o.len());
                    let e = (s + rng.below(300)).min(o.len());
                    v.splice(at..at, o[s..e].iter().copied());
                }
            }
            7 => {
                // A long run of one byte (long cells, many columns or rows).
                let b = [b',', b'\n', b'9', b'"', b'x'][rng.below(5)];
                let n = [10, 300, 2_500, 20_000][rng.below(4)];
                v.splice(at..at, std::iter::repeat_n(b, n));
            }
            _ => {
                if let Some(i) = (!v.is_empty()).then(|| rng.below(v.len())) {
                    v[i] = rng.next() as u8;
                }
            }
        }
    }
    v
}

const XLSX_RECIPE: &str = r#"format = 1
[source]
id = "fuzz_xlsx"
data = "data.xlsx"
reader = "xlsx"
sheet = "Clubs"
geography = "pcon2024"
code_column = "code"
period = { fixed = "2024" }
[[indicator]]
id = "stem_clubs"
title = "STEM clubs"
definition = "Invented."
unit = "count"
direction = "neutral"
value = "clubs"
markers = ["c"]
nations = ["england", "wales", "scotland", "northern_ireland"]
"#;

/// A sheet per seat, the seat named in A2, a long table with two count
/// columns (the layout of Scotland's age-by-sex workbook).
const SHEETS_RECIPE: &str = r##"format = 1
[source]
id = "fuzz_sheets"
data = "data.xlsx"
reader = "xlsx"
sheets = "#.*"
name_cell = "A2"
skip_lines = 2
header = ["Age", "All", "Girls"]
stop_at_blank_row = true
geography = "pcon2024"
period = { fixed = "2024" }
[source.long]
category_column = "Age"
value_columns = ["All", "Girls"]
categories = ["All ages", 11, "12 and over"]
denominator_excludes = ["All ages"]
markers = ["c"]
[[indicator]]
id = "girls_share"
title = "Girls"
definition = "Invented."
unit = "share"
direction = "neutral"
categories = ["All ages / Girls"]
denominator_categories = ["All ages"]
nations = ["england", "wales"]
[[indicator]]
id = "older_share"
title = "Older"
definition = "Invented."
unit = "share"
direction = "neutral"
categories = ["12 and over"]
nations = ["england", "wales"]
"##;

/// A Nomis report-layout export (`reader = "nomis"`): two period blocks,
/// a metadata row, a measure with `conf` columns and one without,
/// suppressed cells, a `country:` row filtered out.
const NOMIS_RECIPE: &str = r#"format = 1
[source]
id = "fuzz_nomis"
data = "data.xlsx"
reader = "nomis"
sheet = "Data"
geography = "lad"
vintage = 2023
name_column = "area"
filter = { area_type = "ladu" }
period = { column = "period", map = { "Jan 2022-Dec 2022" = "2022", "Jan 2023-Dec 2023" = "2023" } }
[[indicator]]
id = "soc21"
title = "SOC 21"
definition = "Invented."
unit = "count"
direction = "neutral"
value = "T09a:21 (Science)"
markers = ["!", "~"]
nations = ["england", "wales", "scotland"]
[[indicator]]
id = "soc21_share"
title = "SOC 21 share"
definition = "Invented."
unit = "share"
direction = "neutral"
numerator = "T09a:21 (Science)"
denominator = "All"
markers = ["!", "~"]
nations = ["england", "wales", "scotland"]
"#;

const NOMIS_ROWS: &[&[&str]] = &[
    &["annual population survey (invented)"],
    &[],
    &["date", "Jan 2022-Dec 2022"],
    &["industry", "All industries"],
    &["Area", "T09a:21 (Science)", "", "", "All", ""],
    &["", "number", "Flags", "conf", "number", "Flags"],
    &["country:England", "5000", "", "400", "90000", ""],
    &["ladu:Northam", "1200", "", "300", "20000", ""],
    &["ladu:Somerset", "!", "", "*", "30000", ""],
    &["ladu:Afon", "~", "", "~", "8000", ""],
    &[],
    &["date", "Jan 2023-Dec 2023"],
    &["industry", "All industries"],
    &["Area", "T09a:21 (Science)", "", "", "All", ""],
    &["", "number", "Flags", "conf", "number", "Flags"],
    &["ladu:Northam", "1,300", "", "310", "21000", ""],
    &["ladu:Glenbrae and Strath", "640", "", "160", "7100", ""],
    &[],
    &["Source: invented"],
];

/// The Nomis rows as a CSV export writes them (every field quoted).
fn nomis_csv() -> Vec<u8> {
    NOMIS_ROWS
        .iter()
        .map(|r| {
            r.iter()
                .map(|c| format!("\"{c}\""))
                .collect::<Vec<_>>()
                .join(",")
                + "\r\n"
        })
        .collect::<String>()
        .into_bytes()
}

/// The Nomis recipe reading the CSV export.
fn nomis_csv_recipe() -> String {
    NOMIS_RECIPE
        .replace("data = \"data.xlsx\"", "data = \"data.csv\"")
        .replace("sheet = \"Data\"\n", "")
}

fn seat_sheet(seat: &str) -> Vec<u8> {
    sheet_xml(&[
        &["Pupils (invented)"],
        &[seat],
        &["Age", "All", "Girls"],
        &["All ages", "10", "4"],
        &["11", "3", "c"],
        &["12 and over", "7", "3"],
        &[],
        &["Notes", "Invented"],
    ])
}

struct Seed {
    recipe: String,
    data: Vec<u8>,
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    for group in ["contrib", "contrib-invalid"] {
        let root = repo().join("tests/fixtures").join(group);
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("recipe.toml").is_file())
            .collect();
        dirs.sort();
        for d in dirs {
            out.push(Seed {
                recipe: std::fs::read_to_string(d.join("recipe.toml")).unwrap(),
                data: ["data.csv", "data.xlsx", "data.json", "data.parquet"]
                    .iter()
                    .find_map(|f| std::fs::read(d.join(f)).ok())
                    .unwrap_or_default(),
            });
        }
    }
    // The seat contribution as JSON records and as a Parquet file.
    let seat =
        std::fs::read_to_string(repo().join("tests/fixtures/contrib/seat/recipe.toml")).unwrap();
    for (reader, data) in [
        ("json", common::SEAT_JSON.as_bytes().to_vec()),
        ("parquet", common::seat_parquet()),
    ] {
        out.push(Seed {
            recipe: seat.replacen(
                "data = \"data.csv\"\n",
                &format!("data = \"data.{reader}\"\nreader = \"{reader}\"\n"),
                1,
            ),
            data,
        });
    }
    // A Nomis export as CSV text (its workbook is mutated in `fuzz`).
    out.push(Seed {
        recipe: nomis_csv_recipe(),
        data: nomis_csv(),
    });
    let obs = common::observatory();
    for (file, text) in recipe::BUILTIN {
        let r = Recipe::parse(text, file, &Limits::DEFAULT).unwrap();
        let cat = common::observatory_catalogue();
        let path = &cat.get(&r.source.id).unwrap().path;
        // As a contribution: the same recipe naming a data file.
        let recipe = text.replacen("[source]\n", "[source]\ndata = \"data.csv\"\n", 1);
        out.push(Seed {
            recipe,
            data: std::fs::read(obs.join(path)).unwrap(),
        });
    }
    out
}

/// What one run of the engine gave: "ok" or the kind of error.
fn run_one(recipe_text: &str, data: &[u8], inputs: &Inputs<'_>, reg: &Registry) -> String {
    // `STEMGAP_FUZZ_DUMP=DIR`: each input is written there before it runs,
    // so an input that aborts the process (an allocation failure is not a
    // panic) is left behind to reproduce.
    if let Ok(dir) = std::env::var("STEMGAP_FUZZ_DUMP") {
        let dir = PathBuf::from(dir);
        std::fs::write(dir.join("recipe.toml"), recipe_text).expect("the dump folder is writable");
        std::fs::write(dir.join("data"), data).expect("the dump folder is writable");
    }
    let limits = Limits::DEFAULT;
    let r = match Recipe::parse(recipe_text, "recipe.toml", &limits) {
        Ok(r) => r,
        Err(e) => return format!("recipe: {}", kind(&e.problem.to_string())),
    };
    let c = Contribution {
        dir: PathBuf::from("."),
        recipe: r,
        recipe_file: "recipe.toml".into(),
        data_file: "data".into(),
        bytes: data.to_vec(),
        published: None,
    };
    match recipe::check::check(&c, inputs, reg) {
        Ok(_) => "ok".into(),
        Err(e) => format!("data: {}", kind(&e.problem.to_string())),
    }
}

/// An error's kind: its first few words, for the tally.
fn kind(message: &str) -> String {
    message
        .split_whitespace()
        .filter(|w| !w.contains(|c: char| c.is_ascii_digit() || c == '"'))
        .take(4)
        .collect::<Vec<_>>()
        .join(" ")
}

struct Figures {
    iterations: u64,
    panics: u64,
    slowest: Duration,
    peak: usize,
    outcomes: BTreeMap<String, u64>,
}

/// The reader a recipe names (`csv` when it names none).
fn reader_of(recipe: &str) -> &str {
    recipe
        .lines()
        .find_map(|l| l.trim().strip_prefix("reader = \""))
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or("csv")
}

/// Runs the fuzzer for `budget`. With `only` (a reader: `csv`, `xlsx`,
/// `json`, `parquet`, `nomis`), every input is one for that reader: the
/// seeds naming it, and for `xlsx` and `nomis` the mutated workbooks of
/// that layout; the run's whole time is then that reader's.
fn fuzz(seed: u64, budget: Duration, only: Option<&str>) -> Figures {
    let dir = common::observatory_sources();
    let inputs = Inputs::new(&dir, &());
    let reg = common::observatory_registry();
    let seeds = seeds();
    // The seeds mutated (every seed is still a source of spliced ranges).
    let pool: Vec<&Seed> = seeds
        .iter()
        .filter(|s| only.is_none_or(|r| reader_of(&s.recipe) == r))
        .collect();
    assert!(!pool.is_empty(), "no seed names reader {only:?}");
    let datas: Vec<Vec<u8>> = seeds.iter().map(|s| s.data.clone()).collect();
    let recipes: Vec<Vec<u8>> = seeds
        .iter()
        .map(|s| s.recipe.clone().into_bytes())
        .collect();
    let xlsx_sheet = sheet_xml(&[
        &["code", "name", "clubs"],
        &["E14001401", "Northam North", "4"],
        &["E14001402", "Northam South", "c"],
        &["W07000101", "Bryn Môr", "2.5"],
    ]);
    assert_eq!(
        run_one(XLSX_RECIPE, &workbook(&xlsx_sheet), &inputs, &reg),
        "ok",
        "the XLSX seed reads"
    );
    // The same table as a spreadsheet application writes it (shared
    // strings): the plain-sheet fast path reads it, and is compared with
    // calamine on every mutation that still reads.
    let (plain_sheet, plain_strings) = shared_sheet_xml(&[
        &["code", "name", "clubs"],
        &["E14001401", "Northam North", "4"],
        &["E14001402", "Northam South", "c"],
        &["W07000101", "Bryn Môr", "2.5"],
    ]);
    let plain_book =
        |sheet: &[u8], sst: &[u8]| workbook_with(&[("Clubs", sheet.to_vec())], Some(sst));
    assert_eq!(
        run_one(
            XLSX_RECIPE,
            &plain_book(&plain_sheet, &plain_strings),
            &inputs,
            &reg
        ),
        "ok",
        "the shared-strings XLSX seed reads"
    );
    {
        let at = stemgap_sources::Location::file("seed.xlsx");
        let mut book =
            stemgap_sources::Workbook::open(plain_book(&plain_sheet, &plain_strings), at).unwrap();
        assert_eq!(
            book.plain_sheet_agrees("Clubs"),
            Some(true),
            "the fast path reads the seed"
        );
    }
    // The Nomis export, as a workbook (shared strings) and as CSV.
    let (nomis_sheet, nomis_strings) = shared_sheet_xml(NOMIS_ROWS);
    let nomis_book =
        |sheet: &[u8], sst: &[u8]| workbook_with(&[("Data", sheet.to_vec())], Some(sst));
    assert_eq!(
        run_one(
            NOMIS_RECIPE,
            &nomis_book(&nomis_sheet, &nomis_strings),
            &inputs,
            &reg
        ),
        "ok",
        "the Nomis workbook seed reads"
    );
    assert_eq!(
        run_one(&nomis_csv_recipe(), &nomis_csv(), &inputs, &reg),
        "ok",
        "the Nomis CSV seed reads"
    );
    let (north, south) = (seat_sheet("Northam North"), seat_sheet("Northam South"));
    assert_eq!(
        run_one(
            SHEETS_RECIPE,
            &workbook_of(&[("0. North", north.clone()), ("1. South", south.clone())]),
            &inputs,
            &reg
        ),
        "ok",
        "the sheets seed reads"
    );
    // The long tables (`[source.long]`) read as they are: the mutations
    // start from valid long inputs.
    let long: Vec<&Seed> = seeds
        .iter()
        .filter(|s| s.recipe.contains("[source.long]"))
        .collect();
    assert!(long.len() > 7, "{} long seeds", long.len());
    for s in long.iter().filter(|s| s.recipe.contains("census21_")) {
        assert_eq!(
            run_one(&s.recipe, &s.data, &inputs, &reg),
            "ok",
            "{}",
            s.recipe
        );
    }
    // The located seeds (a postcode and a point contribution) read as
    // they are: the mutations start from valid located inputs.
    for id in [
        "contrib_stem_clubs_postcode_2024",
        "contrib_stem_visits_point_2024",
    ] {
        let s = seeds
            .iter()
            .find(|s| s.recipe.contains(&format!("id = \"{id}\"")))
            .unwrap_or_else(|| panic!("the located seed {id}"));
        assert_eq!(run_one(&s.recipe, &s.data, &inputs, &reg), "ok", "{id}");
    }
    // The JSON and Parquet seeds read as they are.
    for reader in ["\"json\"", "\"parquet\""] {
        let s = seeds
            .iter()
            .find(|s| {
                s.recipe.contains(&format!("reader = {reader}"))
                    && s.recipe.contains("contrib_stem_outreach_2024")
            })
            .unwrap_or_else(|| panic!("the {reader} seed"));
        assert_eq!(run_one(&s.recipe, &s.data, &inputs, &reg), "ok", "{reader}");
    }
    let mut rng = Rng(seed | 1);
    let mut f = Figures {
        iterations: 0,
        panics: 0,
        slowest: Duration::ZERO,
        peak: 0,
        outcomes: BTreeMap::new(),
    };
    let start = Instant::now();
    // Quiet panics: each is reported with its input below.
    std::panic::set_hook(Box::new(|_| {}));
    while start.elapsed() < budget {
        let s = pool[rng.below(pool.len())];
        let arm = match rng.below(5) {
            // Mutated workbooks are XLSX and Nomis inputs only.
            4 if only.is_some_and(|r| r != "xlsx" && r != "nomis") => 2,
            a => a,
        };
        let (recipe_text, data) = match arm {
            // A Nomis workbook, its sheet or its strings mutated.
            4 if only != Some("xlsx") && (only == Some("nomis") || rng.below(4) == 0) => {
                let (sheet, sst) = if rng.below(2) == 0 {
                    (mutate(&mut rng, &nomis_sheet, &[]), nomis_strings.clone())
                } else {
                    (nomis_sheet.clone(), mutate(&mut rng, &nomis_strings, &[]))
                };
                (NOMIS_RECIPE.to_owned(), nomis_book(&sheet, &sst))
            }
            // A workbook whose sheet XML is mutated, packed again (so the
            // spreadsheet reader, not the ZIP check, meets the mutation).
            4 if rng.below(2) == 0 => {
                let xml = mutate(&mut rng, &xlsx_sheet, &[]);
                (XLSX_RECIPE.to_owned(), workbook(&xml))
            }
            // A shared-strings workbook, its sheet or its strings mutated.
            4 if rng.below(3) == 0 => {
                let (sheet, sst) = if rng.below(2) == 0 {
                    (mutate(&mut rng, &plain_sheet, &[]), plain_strings.clone())
                } else {
                    (plain_sheet.clone(), mutate(&mut rng, &plain_strings, &[]))
                };
                (XLSX_RECIPE.to_owned(), plain_book(&sheet, &sst))
            }
            // A sheet per seat: one sheet mutated, the other as it was.
            4 => {
                let xml = mutate(&mut rng, &north, &[]);
                (
                    SHEETS_RECIPE.to_owned(),
                    workbook_of(&[("0. North", xml), ("1. South", south.clone())]),
                )
            }
            0 => (
                String::from_utf8_lossy(&mutate(&mut rng, s.recipe.as_bytes(), &recipes))
                    .into_owned(),
                s.data.clone(),
            ),
            1 => (
                String::from_utf8_lossy(&mutate(&mut rng, s.recipe.as_bytes(), &recipes))
                    .into_owned(),
                mutate(&mut rng, &s.data, &datas),
            ),
            _ => (s.recipe.clone(), mutate(&mut rng, &s.data, &datas)),
        };
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let t = Instant::now();
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_one(&recipe_text, &data, &inputs, &reg)
        }));
        let took = t.elapsed();
        let peak = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        f.iterations += 1;
        f.slowest = f.slowest.max(took);
        f.peak = f.peak.max(peak);
        let show = || {
            format!(
                "seed {seed}, iteration {}\n--- recipe ---\n{recipe_text}\n--- data ({} bytes) ---\n{}",
                f.iterations,
                data.len(),
                String::from_utf8_lossy(&data[..data.len().min(2_000)])
            )
        };
        // A mutated workbook that read cleanly: the plain-sheet fast path,
        // where it applies, must give the spreadsheet reader's cells.
        if arm == 4 && matches!(&got, Ok(o) if o == "ok") {
            let agree = std::panic::catch_unwind(|| {
                let at = stemgap_sources::Location::file("fuzz.xlsx");
                let mut book = stemgap_sources::Workbook::open(data.clone(), at).ok()?;
                book.sheet_names()
                    .iter()
                    .find(|name| book.plain_sheet_agrees(name) == Some(false))
                    .cloned()
            });
            if let Ok(Some(sheet)) = agree {
                let _ = std::panic::take_hook();
                // The workbook is binary: it is kept to reproduce.
                let kept = std::env::temp_dir().join(format!("stemgap-fuzz-{seed}.xlsx"));
                std::fs::write(&kept, &data).expect("the temporary folder is writable");
                panic!(
                    "the plain-sheet reader differs from calamine on sheet {sheet} (workbook kept as {}):\n{}",
                    kept.display(),
                    show()
                );
            }
        }
        match got {
            Ok(outcome) => *f.outcomes.entry(outcome).or_default() += 1,
            Err(p) => {
                let _ = std::panic::take_hook();
                let why = p
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                panic!("the engine panicked ({why}) on\n{}", show());
            }
        }
        if took >= Duration::from_secs(5) || peak >= 512 << 20 {
            // The quiet hook would swallow the message below; the input
            // (binary, perhaps) is kept to reproduce.
            let _ = std::panic::take_hook();
            let kept = std::env::temp_dir().join(format!("stemgap-fuzz-{seed}"));
            std::fs::create_dir_all(&kept).expect("the temporary folder is writable");
            std::fs::write(kept.join("recipe.toml"), &recipe_text).expect("writable");
            std::fs::write(kept.join("data"), &data).expect("writable");
            eprintln!("input kept in {}", kept.display());
        }
        assert!(
            took < Duration::from_secs(5),
            "an iteration took {took:?}: {}",
            show()
        );
        assert!(
            peak < 512 << 20,
            "an iteration allocated {peak} bytes: {}",
            show()
        );
    }
    let _ = std::panic::take_hook();
    f
}

fn report(f: &Figures, secs: f64) {
    eprintln!(
        "recipe fuzz: {} iterations in {secs:.0} s ({:.0}/s), {} panics, slowest {:?}, peak allocation {:.1} MiB",
        f.iterations,
        f.iterations as f64 / secs,
        f.panics,
        f.slowest,
        f.peak as f64 / (1 << 20) as f64
    );
    let mut by: Vec<_> = f.outcomes.iter().collect();
    by.sort_by(|a, b| b.1.cmp(a.1));
    for (k, n) in by.iter().take(25) {
        eprintln!("  {n:>8}  {k}");
    }
}

/// A few seconds in every test run: no panic, hang or runaway allocation,
/// and the mutations reach both valid inputs and many kinds of error.
#[test]
fn a_short_fuzz_run_finds_no_panic() {
    let budget = Duration::from_secs(3);
    let f = fuzz(0x5EED_2026, budget, None);
    report(&f, budget.as_secs_f64());
    assert!(f.iterations > 50, "{} iterations", f.iterations);
    assert!(
        f.outcomes.get("ok").copied().unwrap_or(0) > 0,
        "no valid input"
    );
    assert!(f.outcomes.len() > 10, "{:?}", f.outcomes.keys());
}

/// Every reader alone, briefly: each has seeds, and its inputs run.
#[test]
fn a_short_fuzz_run_of_each_reader_finds_no_panic() {
    for reader in ["csv", "xlsx", "json", "parquet", "nomis"] {
        let f = fuzz(0x5EED_2027, Duration::from_millis(400), Some(reader));
        assert!(f.iterations > 5, "{reader}: {} iterations", f.iterations);
        assert_eq!(f.panics, 0, "{reader}");
    }
}

/// The long run (`STEMGAP_FUZZ_SECS`, default 600).
#[test]
#[ignore]
fn a_long_fuzz_run_finds_no_panic() {
    let secs: u64 = std::env::var("STEMGAP_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let seed: u64 = std::env::var("STEMGAP_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0xF022_2026);
    // `STEMGAP_FUZZ_READER=json`: that reader's inputs only.
    let only = std::env::var("STEMGAP_FUZZ_READER").ok();
    let f = fuzz(seed, Duration::from_secs(secs), only.as_deref());
    if let Some(r) = &only {
        eprintln!("recipe fuzz of reader {r} (seed {seed})");
    }
    report(&f, secs as f64);
    assert_eq!(f.panics, 0);
}
