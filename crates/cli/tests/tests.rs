//! The one integration-test binary (ripgrep style): modules by theme.

mod bad_inputs;
mod common;
mod fetch;
mod real_data;
