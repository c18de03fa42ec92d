use stemgap_sources::{Location, ParquetTable};
fn main() {
    let p = std::env::args().nth(1).unwrap();
    let t0 = std::time::Instant::now();
    let bytes = std::fs::read(&p).unwrap();
    let t = ParquetTable::from_bytes(&bytes, Location::file("d")).unwrap();
    let mut n = 0;
    let mut skipped = 0;
    if let Some(c) = std::env::args().nth(2) {
        let t1 = std::time::Instant::now();
        for g in 0..t.row_groups() {
            n += t.group_strings(g, &c).unwrap().len();
        }
        println!("{c}: {n} {:?}", t1.elapsed());
        return;
    }
    for g in 0..t.row_groups() {
        if !t
            .group_may_hold(g, "geographic_level", "Local authority district")
            .unwrap()
        {
            skipped += 1;
            continue;
        }
        for c in [
            "geographic_level",
            "time_period",
            "lad_code",
            "ssa_t1_desc",
            "sex",
            "ethnicity_group",
            "notional_nvq_level",
            "e_and_t_aims_ach",
        ] {
            let s = t.group_strings(g, c).unwrap();
            n += s.len();
        }
    }
    println!("{n} cells, {skipped} skipped, {:?}", t0.elapsed());
}
