/// Bumped whenever a table changes shape; a store of another version is refused.
pub const SCHEMA_VERSION: &str = "6";

pub const CREATE: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE source (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, publisher TEXT NOT NULL, licence TEXT NOT NULL,
    url TEXT NOT NULL, path TEXT NOT NULL, sha256 TEXT NOT NULL, format TEXT NOT NULL,
    geography TEXT NOT NULL, boundary TEXT NOT NULL, period TEXT NOT NULL,
    nations TEXT NOT NULL, notes TEXT NOT NULL, used INTEGER NOT NULL,
    publisher_url TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE area (
    kind TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    nation TEXT, region TEXT,
    PRIMARY KEY (kind, code)
) WITHOUT ROWID;
CREATE TABLE link (
    relation TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL,
    weight REAL NOT NULL, population REAL
);
CREATE TABLE hex (
    kind TEXT NOT NULL, code TEXT NOT NULL, q INTEGER NOT NULL, r INTEGER NOT NULL,
    PRIMARY KEY (kind, code)
) WITHOUT ROWID;
CREATE TABLE outline (
    kind TEXT NOT NULL, code TEXT NOT NULL, path TEXT NOT NULL,
    PRIMARY KEY (kind, code)
) WITHOUT ROWID;
CREATE TABLE indicator (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, definition TEXT NOT NULL, unit TEXT NOT NULL,
    direction TEXT NOT NULL, sources TEXT NOT NULL, period TEXT NOT NULL,
    nations TEXT NOT NULL, method TEXT NOT NULL, caveats TEXT NOT NULL, position INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE label (
    kind TEXT NOT NULL, id INTEGER NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE TABLE observation (
    key INTEGER PRIMARY KEY,
    value REAL, lower REAL, upper REAL, flag TEXT, method TEXT NOT NULL, source INTEGER NOT NULL,
    CHECK (value IS NOT NULL OR flag IS NOT NULL)
);
CREATE TABLE postcode_range (
    key INTEGER PRIMARY KEY, seat TEXT
) WITHOUT ROWID;
CREATE TABLE document (id TEXT PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE institution (
    kind TEXT NOT NULL CHECK (kind IN ('provider', 'location')),
    ukprn TEXT NOT NULL, locid TEXT NOT NULL, name TEXT NOT NULL, partner TEXT,
    postcode TEXT, lat REAL, lon REAL, place_lat REAL, place_lon REAL,
    seat2010 TEXT, route2010 TEXT, seat2024 TEXT, route2024 TEXT,
    stem INTEGER, stem_route TEXT, problem TEXT,
    PRIMARY KEY (kind, ukprn, locid),
    CHECK ((seat2010 IS NULL) = (route2010 IS NULL)),
    CHECK ((seat2024 IS NULL) = (route2024 IS NULL)),
    CHECK ((seat2010 IS NOT NULL AND seat2024 IS NOT NULL) OR problem IS NOT NULL)
) WITHOUT ROWID;
CREATE TABLE member (
    code TEXT PRIMARY KEY, first_name TEXT NOT NULL, surname TEXT NOT NULL,
    party_code TEXT NOT NULL, party TEXT NOT NULL,
    majority INTEGER NOT NULL CHECK (majority >= 0), majority_share REAL NOT NULL,
    turnout REAL NOT NULL, electorate INTEGER NOT NULL, valid_votes INTEGER NOT NULL,
    elected TEXT NOT NULL, source TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX institution_seat2010 ON institution (seat2010);
CREATE INDEX institution_seat2024 ON institution (seat2024);
";
