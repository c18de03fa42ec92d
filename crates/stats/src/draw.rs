//! Uniform indices from a seeded ChaCha8 stream, its words taken in blocks.
//!
//! Every resampling loop here (case, stratified and cluster bootstraps)
//! draws indices `0..n` one at a time, hundreds of millions per build.
//! [`Indices`] draws exactly the indices `rng.random_range(0..n)` draws
//! with `n: u32` (rand 0.9's single-sample method: Lemire's widening
//! multiply, with one more word when the low half of the product falls in
//! the biased zone), in the same order from the same seed, so results and
//! recorded seeds are unchanged; but it reads the generator's words 64 at a
//! time into a buffer, so a draw is a load and a multiply rather than a call
//! through the block generator with its index checks. The test
//! `same_indices_as_random_range` holds it to rand's own method.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Words of the generator read at a time.
const BLOCK: usize = 64;

/// A ChaCha8 stream seeded once, read as uniform indices.
pub(crate) struct Indices {
    rng: ChaCha8Rng,
    words: [u32; BLOCK],
    next: usize,
}

impl Indices {
    /// The stream of `ChaCha8Rng::seed_from_u64(seed)`.
    pub(crate) fn new(seed: u64) -> Indices {
        Indices {
            rng: ChaCha8Rng::seed_from_u64(seed),
            words: [0; BLOCK],
            next: BLOCK,
        }
    }

    #[inline(always)]
    fn word(&mut self) -> u32 {
        if self.next == BLOCK {
            self.rng.fill(&mut self.words[..]);
            self.next = 0;
        }
        let w = self.words[self.next];
        self.next += 1;
        w
    }

    /// An index in `0..n`, as `rng.random_range(0..n)` would draw it
    /// (`n ≥ 1`).
    #[inline(always)]
    pub(crate) fn below(&mut self, n: u32) -> usize {
        debug_assert!(n >= 1, "an empty range");
        let m = u64::from(self.word()) * u64::from(n);
        let (mut hi, lo) = ((m >> 32) as u32, m as u32);
        if lo > n.wrapping_neg() {
            // The biased zone (probability about n / 2^32): one more word
            // decides whether the result rounds up.
            let carry = (u64::from(self.word()) * u64::from(n)) >> 32;
            hi += u32::from(lo.checked_add(carry as u32).is_none());
        }
        hi as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_indices_as_random_range() {
        // Sizes of real resamples, and sizes near 2^32 whose biased zone is
        // large, so the correction word is drawn often.
        let sizes = [
            1u32,
            2,
            3,
            7,
            100,
            543,
            650,
            3_000_000_001,
            4_000_000_000,
            u32::MAX,
        ];
        for seed in [0u64, 1, 42, 0xdead_beef, u64::MAX] {
            let mut ours = Indices::new(seed);
            let mut theirs = ChaCha8Rng::seed_from_u64(seed);
            // Sizes interleaved, as a stratified bootstrap draws them, and
            // long enough to cross many blocks.
            for i in 0..20_000 {
                let n = sizes[i % sizes.len()];
                assert_eq!(
                    ours.below(n),
                    theirs.random_range(0..n) as usize,
                    "seed {seed}, draw {i}, n {n}"
                );
            }
        }
    }

    #[test]
    fn the_correction_word_is_exercised() {
        // With n = 3,000,000,001 about 70% of draws fall in the biased zone:
        // the test above would fail if the second word were mishandled.
        let n: u32 = 3_000_000_001;
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let zone = (0..1000)
            .filter(|_| {
                let m = u64::from(rng.random::<u32>()) * u64::from(n);
                (m as u32) > n.wrapping_neg()
            })
            .count();
        assert!(zone > 500, "{zone} of 1000 in the biased zone");
    }
}
