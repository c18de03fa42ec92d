use stemgap_sources::{Location, Workbook};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let bytes = std::fs::read(&a[1]).unwrap();
    let mut wb = Workbook::open(bytes, Location::file("x")).unwrap();
    if a.len() < 3 {
        println!("{:?}", wb.sheet_names());
        return;
    }
    let g = wb.sheet(&a[2]).unwrap();
    let maxc: usize = a.get(3).and_then(|s| s.parse().ok()).unwrap_or(6);
    for r in 0..g.height() {
        let row = g.row(r);
        let cells: Vec<String> = row.iter().take(maxc).map(|c| format!("{:?}", c)).collect();
        println!("{r}: {}", cells.join(" | "));
    }
}
