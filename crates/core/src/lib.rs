//! Domain types for stemgap. This crate does no I/O and cannot fail except
//! by returning a typed error when a string does not parse.
//!
//! * [`GssCode`]: a validated ONS Government Statistical Service code
//!   (`E14001063`), and [`Nation`] derived from it.
//! * [`BoundarySet`]: the 2010-2024 or the July 2024 constituency set.
//! * [`AreaKind`]: what an area is (a seat of a set, a region, a district of
//!   a vintage, a small area).
//! * [`Method`], [`Direction`], [`Marker`]: how a figure was made, which way
//!   is better, and why a cell is missing.
//! * [`Observation`] and [`IndicatorDef`]: what the store holds.
//! * [`Postcode`]: a validated, normalised UK postcode.
//! * [`Symbol`]: a shared immutable string (indicator ids, periods and
//!   sources, repeated by every observation).

mod area;
mod code;
mod indicator;
mod postcode;
mod symbol;
mod value;

pub use area::AreaKind;
pub use code::{BoundarySet, CodeError, GssCode, Nation};
pub use indicator::{Direction, IndicatorDef, Method, Observation};
pub use postcode::{Postcode, PostcodeError, POSTCODE_AREAS};
pub use symbol::Symbol;
pub use value::{Cell, Marker};
