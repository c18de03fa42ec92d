//! The tiny test observatory (tests/observatory): being written.
