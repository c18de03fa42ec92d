//! Invalid inputs (tests/invalid/<case>): being written.
