//! `stemgap fetch` against a mirror served on 127.0.0.1 by the test itself:
//! download and verify, skip good copies, refuse a checksum mismatch without
//! touching the existing copy, and resume an interrupted download.

use crate::common::{run, stderr, stdout};
use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// Made-up source files: (path, content).
const FILES: [(&str, &[u8]); 2] = [
    ("census/tiny.csv", b"code,value\nE14000001,1\nE14000002,2\n"),
    ("lookups/big.csv", &[b'x'; 200_000]),
];

#[derive(Default)]
struct Behaviour {
    /// Paths whose next plain GET is cut off half way (then served normally).
    cut_once: HashSet<String>,
    /// Paths served with one byte changed.
    corrupt: HashSet<String>,
    /// Range headers seen, per path.
    ranges: Vec<(String, String)>,
}

/// A minimal HTTP/1.1 file server on 127.0.0.1, one connection at a time,
/// honouring `Range: bytes=N-`. It serves only the requests the test makes.
fn serve(root: &Path, behaviour: Arc<Mutex<Behaviour>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let root = root.to_owned();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = handle(stream, &root, &behaviour);
        }
    });
    format!("http://{addr}")
}

fn handle(mut stream: TcpStream, root: &Path, behaviour: &Mutex<Behaviour>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    let path = request
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .trim_start_matches('/')
        .to_owned();
    let mut range_from = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line)?;
        if line.trim().is_empty() {
            break;
        }
        if let Some(v) = line
            .strip_prefix("Range: ")
            .or_else(|| line.strip_prefix("range: "))
        {
            let v = v.trim().to_owned();
            range_from = v
                .trim_start_matches("bytes=")
                .trim_end_matches('-')
                .parse::<usize>()
                .ok();
            behaviour.lock().unwrap().ranges.push((path.clone(), v));
        }
    }
    assert!(!path.contains(".."), "the client asked for {path}");
    let Ok(mut body) = std::fs::read(root.join(&path)) else {
        return stream.write_all(
            b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        );
    };
    let mut b = behaviour.lock().unwrap();
    if b.corrupt.contains(&path) {
        body[0] ^= 0x20;
    }
    let cut = range_from.is_none() && b.cut_once.remove(&path);
    drop(b);
    let (status, slice) = match range_from {
        Some(from) if from < body.len() => ("206 Partial Content", &body[from..]),
        _ => ("200 OK", &body[..]),
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        slice.len()
    )?;
    if cut {
        stream.write_all(&slice[..slice.len() / 2])?;
        stream.flush()?;
        return stream.shutdown(std::net::Shutdown::Both);
    }
    stream.write_all(slice)
}

/// A mirror directory with the files and a catalogue pinning them.
fn mirror() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = String::new();
    for (i, (path, content)) in FILES.iter().enumerate() {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, content).unwrap();
        cat.push_str(&format!(
            "[[source]]\nid = \"f{i}\"\ntitle = \"t\"\npublisher = \"p\"\nlicence = \"OGL-3.0\"\npath = \"{path}\"\nsha256 = \"{}\"\nbytes = {}\nformat = \"csv\"\ngeography = \"pcon\"\nperiod = \"2021\"\nnations = [\"england\"]\n\n",
            stemgap_sources::sha256_hex(content),
            content.len()
        ));
    }
    let cat_path = dir.path().join("catalogue.toml");
    std::fs::write(&cat_path, cat).unwrap();
    (dir, cat_path.to_str().unwrap().to_owned())
}

fn fetch(to: &Path, from: &str, catalogue: &str) -> std::process::Output {
    run(&[
        "fetch",
        "--to",
        to.to_str().unwrap(),
        "--from",
        from,
        "--catalogue",
        catalogue,
    ])
}

#[test]
fn fetches_verifies_and_skips_good_copies() {
    let (m, cat) = mirror();
    let url = serve(m.path(), Arc::default());
    let to = tempfile::tempdir().unwrap();
    let o = fetch(to.path(), &url, &cat);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("2 fetched, 0 already present"),
        "{}",
        stdout(&o)
    );
    for (path, content) in FILES {
        assert_eq!(std::fs::read(to.path().join(path)).unwrap(), content);
    }
    let o = fetch(to.path(), &url, &cat);
    assert!(
        stdout(&o).contains("0 fetched, 2 already present"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn refuses_a_checksum_mismatch_and_keeps_the_existing_copy() {
    let (m, cat) = mirror();
    let behaviour = Arc::new(Mutex::new(Behaviour::default()));
    behaviour
        .lock()
        .unwrap()
        .corrupt
        .insert("census/tiny.csv".into());
    let url = serve(m.path(), behaviour);
    let to = tempfile::tempdir().unwrap();
    let existing = to.path().join("census/tiny.csv");
    std::fs::create_dir_all(existing.parent().unwrap()).unwrap();
    std::fs::write(&existing, b"an older copy\n").unwrap();
    let o = fetch(to.path(), &url, &cat);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("failed: f0: checksum mismatch"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&existing).unwrap(), b"an older copy\n");
    assert!(!to.path().join("census/tiny.csv.part").exists());
    assert_eq!(
        std::fs::read(to.path().join(FILES[1].0)).unwrap(),
        FILES[1].1,
        "the good file still arrives"
    );
}

#[test]
fn resumes_an_interrupted_download() {
    let (m, cat) = mirror();
    let behaviour = Arc::new(Mutex::new(Behaviour::default()));
    behaviour
        .lock()
        .unwrap()
        .cut_once
        .insert("lookups/big.csv".into());
    let url = serve(m.path(), behaviour.clone());
    let to = tempfile::tempdir().unwrap();
    let o = fetch(to.path(), &url, &cat);
    assert_eq!(
        o.status.code(),
        Some(3),
        "the first attempt is cut off: {}",
        stderr(&o)
    );
    let part = to.path().join("lookups/big.csv.part");
    let have = std::fs::metadata(&part)
        .expect("partial download kept")
        .len();
    assert!(have > 0 && have < 200_000, "{have}");
    let o = fetch(to.path(), &url, &cat);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(to.path().join("lookups/big.csv")).unwrap(),
        FILES[1].1
    );
    assert!(!part.exists());
    let ranges = &behaviour.lock().unwrap().ranges;
    assert_eq!(
        ranges,
        &[("lookups/big.csv".to_owned(), format!("bytes={have}-"))]
    );
}

#[test]
fn copies_from_a_mirror_directory() {
    let (m, cat) = mirror();
    let to = tempfile::tempdir().unwrap();
    let o = fetch(to.path(), m.path().to_str().unwrap(), &cat);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut buf = Vec::new();
    std::fs::File::open(to.path().join(FILES[0].0))
        .unwrap()
        .read_to_end(&mut buf)
        .unwrap();
    assert_eq!(buf, FILES[0].1);
}

/// An optional, unpinned source on the mirror (`optional/pcon.csv`) and a
/// catalogue listing it after the pinned files.
fn mirror_with_optional(content: &[u8], max_bytes: u64) -> (tempfile::TempDir, String) {
    let (dir, cat) = mirror();
    let p = dir.path().join("optional/pcon.csv");
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(&p, content).unwrap();
    let mut text = std::fs::read_to_string(&cat).unwrap();
    text.push_str(&format!(
        "[[optional]]\nid = \"o0\"\ntitle = \"t\"\npublisher = \"p\"\nlicence = \"OGL-3.0\"\nurl = \"https://example.invalid/pcon.csv\"\npath = \"optional/pcon.csv\"\nmax_bytes = {max_bytes}\n"
    ));
    std::fs::write(&cat, text).unwrap();
    (dir, cat)
}

#[test]
fn records_an_optional_sources_checksum_and_refuses_a_changed_file() {
    let first = b"pcon_code,starts\nE14001001,12\n";
    let (m, cat) = mirror_with_optional(first, 1000);
    let url = serve(m.path(), Arc::default());
    let to = tempfile::tempdir().unwrap();
    let lock = to.path().join("sources.lock");
    let o = fetch(to.path(), &url, &cat);
    assert!(o.status.success(), "{}", stderr(&o));
    let sha = stemgap_sources::sha256_hex(first);
    let said = format!(
        "optional o0: SHA-256 {sha} ({} bytes) recorded in {}: not pinned by the catalogue",
        first.len(),
        lock.display()
    );
    assert!(stdout(&o).contains(&said), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("2 fetched, 0 already present"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        std::fs::read(to.path().join("optional/pcon.csv")).unwrap(),
        first
    );
    let locked = std::fs::read_to_string(&lock).unwrap();
    assert!(locked.contains("id = \"o0\""), "{locked}");
    assert!(locked.contains(&format!("sha256 = \"{sha}\"")), "{locked}");
    let o = run(&[
        "sources",
        "--sources",
        to.path().to_str().unwrap(),
        "--catalogue",
        &cat,
    ]);
    assert!(
        stdout(&o).contains(&format!(
            "optional, not pinned: o0 (optional/pcon.csv): present, SHA-256 {sha} as recorded in"
        )),
        "{}",
        stdout(&o)
    );
    // Again: the copy matches the lock, nothing is downloaded.
    let o = fetch(to.path(), &url, &cat);
    assert!(
        stdout(&o).contains("optional o0: already present, matching"),
        "{}",
        stdout(&o)
    );
    // The publisher's file changes and the local copy is lost: the new file
    // is refused, the lock kept; the pinned sources still succeed.
    std::fs::write(
        m.path().join("optional/pcon.csv"),
        b"pcon_code,starts\nE14001001,99\n",
    )
    .unwrap();
    std::fs::remove_file(to.path().join("optional/pcon.csv")).unwrap();
    let o = fetch(to.path(), &url, &cat);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("optional o0 not fetched: got SHA-256"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains(&format!("recorded {sha} when it was first fetched")),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), locked);
    assert!(!to.path().join("optional/pcon.csv").exists());
    assert!(!to.path().join("optional/pcon.csv.part").exists());
}

#[test]
fn an_optional_source_comes_from_a_mirror_directory_within_its_size_bound() {
    let content = b"pcon_code,starts\nE14001001,12\n";
    let (m, cat) = mirror_with_optional(content, 1000);
    let to = tempfile::tempdir().unwrap();
    let o = fetch(to.path(), m.path().to_str().unwrap(), &cat);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("optional o0: SHA-256"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        std::fs::read(to.path().join("optional/pcon.csv")).unwrap(),
        content
    );
    // Larger than its bound: refused, nothing written, nothing recorded.
    let (m, cat) = mirror_with_optional(content, 10);
    let to = tempfile::tempdir().unwrap();
    let o = fetch(to.path(), m.path().to_str().unwrap(), &cat);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("more than the 10 bytes allowed; refused"),
        "{}",
        stderr(&o)
    );
    assert!(!to.path().join("optional/pcon.csv").exists());
    assert!(!to.path().join("sources.lock").exists());
    // A copy put there by hand before any fetch is kept and recorded.
    let mine = b"pcon_code,starts\nE14001001,7\n";
    std::fs::create_dir_all(to.path().join("optional")).unwrap();
    std::fs::write(to.path().join("optional/pcon.csv"), mine).unwrap();
    let o = fetch(to.path(), m.path().to_str().unwrap(), &cat);
    let sha = stemgap_sources::sha256_hex(mine);
    assert!(
        stdout(&o).contains(&format!("optional o0: SHA-256 {sha}")),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        std::fs::read(to.path().join("optional/pcon.csv")).unwrap(),
        mine
    );
}
