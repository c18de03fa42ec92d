//! The one integration-test binary (ripgrep style): modules by theme.

mod browser;
mod common;
mod contribute;
mod explore;
mod fetch;
mod fixture;
mod invalid;
mod print;
mod real_data;
mod real_data_downloads;
mod real_data_findings;
mod real_data_inclusion;
mod real_data_institutions;
mod real_data_msoa;
mod real_data_search;
mod real_data_shortages;
mod real_data_similar;
mod real_data_starts;
mod web;
