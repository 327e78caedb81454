//! HF split strings: `"train"`, `"train[:10%]"`, `"test[10:20]"`, `"train[-5:]"`,
//! `"train[:10%]+test[:5]"`, resolved to absolute row ranges exactly as HF's `ReadInstruction`
//! (percent boundaries rounded to the closest row, Python's half-to-even rounding).

use crate::error::{Error, Result};

/// One `name[from:to]` part; `percent` says the bounds are percents.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitPart {
    pub split: String,
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub percent: bool,
}

/// Parts joined by `+`, read in order.
#[derive(Clone, Debug, PartialEq)]
pub struct SplitSpec {
    pub parts: Vec<SplitPart>,
}

impl SplitSpec {
    pub fn parse(s: &str) -> Result<Self> {
        let bad = |why: &str| Error::Invalid(format!("bad split {s:?}: {why}"));
        let mut parts = Vec::new();
        for raw in s.split('+') {
            let raw = raw.trim();
            let (name, slice) = match raw.find('[') {
                None => (raw, None),
                Some(i) => {
                    let inner = raw[i + 1..].strip_suffix(']').ok_or_else(|| bad("missing ']'"))?;
                    (&raw[..i], Some(inner))
                }
            };
            if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.') {
                return Err(bad("split names are letters, digits, '_', '-', '.'"));
            }
            let mut part = SplitPart { split: name.to_string(), from: None, to: None, percent: false };
            if let Some(inner) = slice {
                let (a, b) = inner.split_once(':').ok_or_else(|| bad("a slice is [from:to]"))?;
                // Each bound: (value, is_percent), or None when empty.
                let bound = |t: &str| -> Result<Option<(i64, bool)>> {
                    let t = t.trim();
                    if t.is_empty() {
                        return Ok(None);
                    }
                    let (num, pct) = match t.strip_suffix('%') {
                        Some(n) => (n, true),
                        None => (t, false),
                    };
                    let v: i64 = num.trim().parse().map_err(|_| bad("bounds are integers"))?;
                    if pct && !(-100..=100).contains(&v) {
                        return Err(bad("percent bounds lie in [-100, 100]"));
                    }
                    Ok(Some((v, pct)))
                };
                let (from, to) = (bound(a)?, bound(b)?);
                if let (Some((_, p)), Some((_, q))) = (from, to) {
                    if p != q {
                        return Err(bad("both bounds must use the same unit"));
                    }
                }
                part.percent = from.or(to).is_some_and(|(_, p)| p);
                part.from = from.map(|(v, _)| v);
                part.to = to.map(|(v, _)| v);
            }
            parts.push(part);
        }
        Ok(SplitSpec { parts })
    }

    /// The split names read, in order.
    pub fn splits(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().map(|p| p.split.as_str())
    }
}

impl SplitPart {
    /// The absolute `[start, end)` rows of this part of a split of `n` rows (HF's `_rel_to_abs_instr`).
    pub fn range(&self, n: u64) -> (u64, u64) {
        let n_i = n as i64;
        let abs = |b: i64| -> i64 {
            if self.percent {
                round_half_even(b as f64 * n as f64 / 100.0)
            } else {
                b
            }
        };
        let mut from = self.from.map(abs).unwrap_or(0);
        let mut to = self.to.map(abs).unwrap_or(n_i);
        if from < 0 {
            from = (n_i + from).max(0);
        }
        if to < 0 {
            to = (n_i + to).max(0);
        }
        let from = from.min(n_i) as u64;
        let to = to.min(n_i) as u64;
        (from, to.max(from))
    }
}

fn round_half_even(x: f64) -> i64 {
    let r = x.round();
    if (x - x.trunc()).abs() == 0.5 && (r as i64) % 2 != 0 {
        (r - x.signum()) as i64
    } else {
        r as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str, n: u64) -> (u64, u64) {
        SplitSpec::parse(s).unwrap().parts[0].range(n)
    }

    // Expected ranges computed with HF datasets 5.2's ReadInstruction.from_spec(...).to_absolute.
    #[test]
    fn ranges_as_hf() {
        assert_eq!(range("train", 10), (0, 10));
        assert_eq!(range("train[:10%]", 25), (0, 2)); // 2.5 → 2 (half to even)
        assert_eq!(range("train[:30%]", 25), (0, 8)); // 7.5 → 8
        assert_eq!(range("test[10:20]", 15), (10, 15));
        assert_eq!(range("train[-5:]", 12), (7, 12));
        assert_eq!(range("train[:-50%]", 9), (0, 5)); // round(-4.5) = -4 → 9 - 4
    }

    #[test]
    fn several_parts_and_errors() {
        let s = SplitSpec::parse("train[:10%]+test").unwrap();
        assert_eq!(s.splits().collect::<Vec<_>>(), ["train", "test"]);
        for bad in ["train[:10", "train[1]", "train[a:b]", "train[:10%:]", "[:5]", "train[:150%]"] {
            assert!(SplitSpec::parse(bad).is_err(), "{bad}");
        }
    }
}
