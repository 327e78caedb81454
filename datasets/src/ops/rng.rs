//! NumPy's default random generator, bit for bit: `np.random.default_rng(seed)` is PCG64 (XSL-RR
//! 128/64) seeded through `SeedSequence`. Hugging Face `datasets` draws every shuffle, split and
//! interleave from it, so reproducing it gives the same row order as HF for the same seed.
//!
//! Written from the published algorithms (O'Neill's PCG paper and `seed_seq_fe`, NumPy's
//! `SeedSequence` documentation); checked against NumPy output in the tests below.

/// PCG64's 128-bit LCG multiplier (PCG_DEFAULT_MULTIPLIER_128).
const MULT: u128 = (2549297995355413924u128 << 64) | 4865540595714422341u128;

/// `SeedSequence` hashing constants.
const INIT_A: u32 = 0x43b0_d7e5;
const MULT_A: u32 = 0x931e_8875;
const INIT_B: u32 = 0x8b51_f9dd;
const MULT_B: u32 = 0x58f3_8ded;
const MIX_MULT_L: u32 = 0xca01_f9dd;
const MIX_MULT_R: u32 = 0x4973_f715;
const XSHIFT: u32 = 16;
const POOL_SIZE: usize = 4;

/// NumPy's `SeedSequence(seed)` for an integer seed (no spawn key), reduced to what PCG64 asks of it.
fn seed_sequence_state(seed: u64) -> [u64; 4] {
    // The integer becomes little-endian 32-bit words; 0 is one zero word.
    let mut entropy = vec![seed as u32];
    if seed >> 32 != 0 {
        entropy.push((seed >> 32) as u32);
    }
    let mut hash_const = INIT_A;
    let mut hashmix = |value: u32| {
        let mut v = value ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_A);
        v = v.wrapping_mul(hash_const);
        v ^ (v >> XSHIFT)
    };
    let mix = |x: u32, y: u32| {
        let r = MIX_MULT_L.wrapping_mul(x).wrapping_sub(MIX_MULT_R.wrapping_mul(y));
        r ^ (r >> XSHIFT)
    };
    let mut pool = [0u32; POOL_SIZE];
    for (i, slot) in pool.iter_mut().enumerate() {
        *slot = hashmix(entropy.get(i).copied().unwrap_or(0));
    }
    for src in 0..POOL_SIZE {
        for dst in 0..POOL_SIZE {
            if src != dst {
                let h = hashmix(pool[src]);
                pool[dst] = mix(pool[dst], h);
            }
        }
    }
    // Entropy beyond the pool size (never for a u64 seed: at most 2 words) would be mixed in here.

    // generate_state(4, uint64): 8 u32 words drawn cycling over the pool, viewed as little-endian u64.
    let mut hash_const = INIT_B;
    let mut words = [0u32; 8];
    for (i, w) in words.iter_mut().enumerate() {
        let mut v = pool[i % POOL_SIZE] ^ hash_const;
        hash_const = hash_const.wrapping_mul(MULT_B);
        v = v.wrapping_mul(hash_const);
        *w = v ^ (v >> XSHIFT);
    }
    std::array::from_fn(|i| words[2 * i] as u64 | ((words[2 * i + 1] as u64) << 32))
}

/// `np.random.default_rng(seed)`: PCG64 plus the Generator methods HF uses.
#[derive(Debug, Clone)]
pub struct NumpyRng {
    state: u128,
    inc: u128,
    /// PCG64 hands out 32-bit draws in pairs: the high half of a 64-bit draw waits here.
    spare_u32: Option<u32>,
}

impl NumpyRng {
    pub fn new(seed: u64) -> Self {
        let s = seed_sequence_state(seed);
        let initstate = ((s[0] as u128) << 64) | s[1] as u128;
        let initseq = ((s[2] as u128) << 64) | s[3] as u128;
        let mut rng = NumpyRng { state: 0, inc: (initseq << 1) | 1, spare_u32: None };
        rng.step();
        rng.state = rng.state.wrapping_add(initstate);
        rng.step();
        rng
    }

    #[inline]
    fn step(&mut self) {
        self.state = self.state.wrapping_mul(MULT).wrapping_add(self.inc);
    }

    /// One 64-bit output (XSL-RR of the advanced state).
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.step();
        let s = self.state;
        let rot = (s >> 122) as u32;
        (((s >> 64) as u64) ^ (s as u64)).rotate_right(rot)
    }

    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        if let Some(v) = self.spare_u32.take() {
            return v;
        }
        let v = self.next_u64();
        self.spare_u32 = Some((v >> 32) as u32);
        v as u32
    }

    /// `Generator.random()`: a double in [0, 1) from the top 53 bits.
    #[inline]
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / 9007199254740992.0)
    }

    /// NumPy's `random_interval(max)`: uniform in [0, max] by masked rejection.
    #[inline]
    pub fn interval(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        let mask = u64::MAX >> max.leading_zeros();
        if max <= u32::MAX as u64 {
            loop {
                let v = (self.next_u32() as u64) & mask;
                if v <= max {
                    return v;
                }
            }
        }
        loop {
            let v = self.next_u64() & mask;
            if v <= max {
                return v;
            }
        }
    }

    /// `Generator.shuffle` of a 1-d array: Fisher-Yates from the end.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.interval(i as u64) as usize;
            items.swap(i, j);
        }
    }

    /// `Generator.permutation(n)`.
    pub fn permutation(&mut self, n: usize) -> Vec<u64> {
        let mut p: Vec<u64> = (0..n as u64).collect();
        self.shuffle(&mut p);
        p
    }

    /// `Generator.choice(len(p), size, p=p)` with replacement: inverse CDF by binary search.
    pub fn choice_weighted(&mut self, p: &[f64], size: usize) -> Vec<usize> {
        let mut cdf = Vec::with_capacity(p.len());
        let mut acc = 0.0;
        for &x in p {
            acc += x;
            cdf.push(acc);
        }
        let last = cdf.last().copied().unwrap_or(1.0);
        for c in &mut cdf {
            *c /= last;
        }
        // searchsorted(side="right"): the first index whose cdf is > u.
        (0..size).map(|_| self.next_f64()).map(|u| cdf.partition_point(|&c| c <= u).min(p.len() - 1)).collect()
    }
    /// NumPy's `random_bounded_uint64(0, max, mask=0, use_masked=false)`: Lemire's multiply-shift
    /// rejection, on 32-bit draws when `max` fits 32 bits.
    pub fn bounded_lemire(&mut self, max: u64) -> u64 {
        if max == 0 {
            return 0;
        }
        if max == u32::MAX as u64 {
            return self.next_u32() as u64;
        }
        if max < u32::MAX as u64 {
            let excl = max as u32 + 1;
            let mut m = self.next_u32() as u64 * excl as u64;
            let mut leftover = m as u32;
            if leftover < excl {
                let threshold = (u32::MAX - max as u32) % excl;
                while leftover < threshold {
                    m = self.next_u32() as u64 * excl as u64;
                    leftover = m as u32;
                }
            }
            return m >> 32;
        }
        if max == u64::MAX {
            return self.next_u64();
        }
        let excl = max + 1;
        let mut m = self.next_u64() as u128 * excl as u128;
        let mut leftover = m as u64;
        if leftover < excl {
            let threshold = (u64::MAX - max) % excl;
            while leftover < threshold {
                m = self.next_u64() as u128 * excl as u128;
                leftover = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// `Generator.choice(pop_size, size, replace=False)` (shuffle=True) for small populations
    /// (≤ 10,000, NumPy's Floyd branch): positions in `0..pop_size`.
    pub fn choice_without_replacement(&mut self, pop_size: usize, size: usize) -> Vec<usize> {
        let size = size.min(pop_size);
        // Floyd's algorithm: for j in pop-size..pop draw v in [0, j]; take v unless taken, else j.
        let mut taken = rustc_hash::FxHashSet::default();
        let mut out = Vec::with_capacity(size);
        for j in (pop_size - size)..pop_size {
            let v = self.bounded_lemire(j as u64) as usize;
            let pick = if taken.contains(&v) { j } else { v };
            taken.insert(pick);
            out.push(pick);
        }
        // then `_shuffle_int(size, 1, idx)`: Fisher-Yates with Lemire draws.
        for i in (1..out.len()).rev() {
            let j = self.bounded_lemire(i as u64) as usize;
            out.swap(i, j);
        }
        out
    }
}

/// `np.random.default_rng(seed).permutation(n)`.
pub fn permutation(n: usize, seed: u64) -> Vec<u64> {
    NumpyRng::new(seed).permutation(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values printed by NumPy 2.4 (see datasets/tests/fixtures/gen_ops_fixtures.py).
    #[test]
    fn seed_sequence_matches_numpy() {
        assert_eq!(
            seed_sequence_state(42),
            [0x9f1e2e6dcd540ab7, 0xd57873dc79fb94b6, 0x7d282a1b64d420b7, 0x336579714692d5ff]
        );
    }

    #[test]
    fn raw_outputs_match_numpy() {
        let mut r = NumpyRng::new(42);
        assert_eq!(
            [r.next_u64(), r.next_u64(), r.next_u64()],
            [0xc621fbcd16d92688, 0x705a5661a791ffc1, 0xdbcd12c26eda1624]
        );
    }

    #[test]
    fn permutations_match_numpy() {
        assert_eq!(permutation(10, 42), vec![5, 6, 0, 7, 3, 2, 4, 9, 1, 8]);
        assert_eq!(permutation(10, 0), vec![4, 6, 2, 7, 3, 5, 9, 0, 8, 1]);
        assert_eq!(permutation(0, 0), Vec::<u64>::new());
        assert_eq!(permutation(1, 7), vec![0]);
    }

    #[test]
    fn choice_without_replacement_matches_numpy() {
        // (seed, pop, size) -> choice, then the next permutation(6) from the same generator.
        type Case = (u64, usize, usize, &'static [usize], [u64; 6]);
        let cases: [Case; 4] = [
            (1, 5, 2, &[1, 2], [5, 0, 1, 4, 2, 3]),
            (7, 3, 1, &[2], [0, 5, 3, 2, 4, 1]),
            (42, 10, 4, &[4, 0, 5, 6], [0, 2, 5, 1, 4, 3]),
            (3, 2, 2, &[1, 0], [3, 0, 2, 1, 4, 5]),
        ];
        for (seed, pop, size, want, next) in cases {
            let mut r = NumpyRng::new(seed);
            assert_eq!(r.choice_without_replacement(pop, size), want, "seed {seed}");
            assert_eq!(r.permutation(6), next, "seed {seed}");
        }
    }
}
