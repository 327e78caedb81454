//! [`Tokens`]: the token strings of an [`super::Encoding`], kept in one text buffer with an end
//! offset per token instead of a `String` per token.
//!
//! Why: an encoding has one token per ~4 bytes of input, and a heap allocation (and later a free)
//! per token cost more than the model that found it. Appending a token here copies its few bytes
//! into a buffer that grows geometrically, so building the tokens of a text is one or two
//! allocations. Callers read them as `&str` (`tokens[i]`, `iter()`), or ask for `to_vec()`.

use std::fmt;
use std::ops::{Index, Range};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Token strings, in order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Tokens {
    /// Every token's text, concatenated.
    text: String,
    /// `ends[i]`: where token `i` ends in `text` (it starts where token `i - 1` ends).
    ends: Vec<usize>,
}

impl Tokens {
    pub fn new() -> Self {
        Tokens::default()
    }

    /// Room for `n` tokens of `bytes` bytes in all.
    pub fn with_capacity(n: usize, bytes: usize) -> Self {
        Tokens { text: String::with_capacity(bytes), ends: Vec::with_capacity(n) }
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    fn start(&self, i: usize) -> usize {
        if i == 0 {
            0
        } else {
            self.ends[i - 1]
        }
    }

    /// Token `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        Some(&self.text[self.start(i)..end])
    }

    /// Appends one token.
    pub fn push(&mut self, token: &str) {
        self.text.push_str(token);
        self.ends.push(self.text.len());
    }

    /// Appends one token given in two parts (`prefix + rest`).
    pub fn push_parts(&mut self, prefix: &str, rest: &str) {
        self.text.push_str(prefix);
        self.text.push_str(rest);
        self.ends.push(self.text.len());
    }

    /// Appends `token` `n` times (right padding).
    pub fn push_n(&mut self, token: &str, n: usize) {
        self.text.reserve(token.len() * n);
        self.ends.reserve(n);
        for _ in 0..n {
            self.push(token);
        }
    }

    /// Appends every token of `other`.
    pub fn extend_from(&mut self, other: &Tokens) {
        let base = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.iter().map(|e| e + base));
    }

    /// Puts `tokens` in front of the existing ones (left padding, a post-processor's prefix).
    pub fn prepend<'a>(&mut self, tokens: impl IntoIterator<Item = &'a str> + Clone) {
        let (n, bytes) = tokens.clone().into_iter().fold((0, 0), |(n, b), t| (n + 1, b + t.len()));
        if n == 0 {
            return;
        }
        let mut front = String::with_capacity(bytes);
        let mut ends = Vec::with_capacity(n);
        for t in tokens {
            front.push_str(t);
            ends.push(front.len());
        }
        self.text.insert_str(0, &front);
        for e in &mut self.ends {
            *e += bytes;
        }
        self.ends.splice(0..0, ends);
    }

    /// Keeps the first `len` tokens.
    pub fn truncate(&mut self, len: usize) {
        if len < self.len() {
            self.text.truncate(self.start(len));
            self.ends.truncate(len);
        }
    }

    /// A copy of tokens `range`.
    pub fn slice(&self, range: Range<usize>) -> Tokens {
        let (s, e) = (range.start.min(self.len()), range.end.min(self.len()));
        if s >= e {
            return Tokens::new();
        }
        let base = self.start(s);
        Tokens {
            text: self.text[base..self.ends[e - 1]].to_string(),
            ends: self.ends[s..e].iter().map(|x| x - base).collect(),
        }
    }

    pub fn iter(&self) -> Iter<'_> {
        Iter { tokens: self, front: 0, back: self.len() }
    }

    /// Every token as an owned `String`.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// The tokens of a [`Tokens`] as `&str`, in order.
pub struct Iter<'a> {
    tokens: &'a Tokens,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        if self.front >= self.back {
            return None;
        }
        self.front += 1;
        self.tokens.get(self.front - 1)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front >= self.back {
            return None;
        }
        self.back -= 1;
        self.tokens.get(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Tokens {
    type Item = &'a str;
    type IntoIter = Iter<'a>;
    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl Index<usize> for Tokens {
    type Output = str;
    fn index(&self, i: usize) -> &str {
        &self.text[self.start(i)..self.ends[i]]
    }
}

impl<S: AsRef<str>> FromIterator<S> for Tokens {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut t = Tokens::new();
        for s in iter {
            t.push(s.as_ref());
        }
        t
    }
}

impl<S: AsRef<str>> From<Vec<S>> for Tokens {
    fn from(v: Vec<S>) -> Self {
        v.iter().collect()
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Tokens {
    fn eq(&self, other: &Vec<S>) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Tokens {
    fn eq(&self, other: &[S; N]) -> bool {
        self.len() == N && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl fmt::Debug for Tokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for Tokens {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for Tokens {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<String>::deserialize(d)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_get_slice_prepend() {
        let mut t = Tokens::new();
        for s in ["ab", "", "c", "déf"] {
            t.push(s);
        }
        assert_eq!(t.len(), 4);
        assert_eq!(&t[0], "ab");
        assert_eq!(&t[1], "");
        assert_eq!(t.get(3), Some("déf"));
        assert_eq!(t.get(4), None);
        assert_eq!(t, vec!["ab", "", "c", "déf"]);
        assert_eq!(t.iter().rev().collect::<Vec<_>>(), vec!["déf", "c", "", "ab"]);
        assert_eq!(t.slice(1..3), vec!["", "c"]);
        assert_eq!(t.slice(2..9), vec!["c", "déf"]);
        assert!(t.slice(3..1).is_empty());

        t.prepend(["[CLS]", "x"]);
        assert_eq!(t, vec!["[CLS]", "x", "ab", "", "c", "déf"]);
        t.push_n("[PAD]", 2);
        assert_eq!(t.to_vec(), vec!["[CLS]", "x", "ab", "", "c", "déf", "[PAD]", "[PAD]"]);
        t.truncate(3);
        assert_eq!(t, vec!["[CLS]", "x", "ab"]);
        t.push("z");
        t.push_parts("##", "ing");
        assert_eq!(t, vec!["[CLS]", "x", "ab", "z", "##ing"]);

        let mut u: Tokens = vec!["q"].into();
        u.extend_from(&t);
        assert_eq!(u, vec!["q", "[CLS]", "x", "ab", "z", "##ing"]);
        assert_eq!(format!("{u:?}"), r###"["q", "[CLS]", "x", "ab", "z", "##ing"]"###);
        assert_eq!(serde_json::to_string(&u).unwrap(), r###"["q","[CLS]","x","ab","z","##ing"]"###);
        let back: Tokens = serde_json::from_str(r#"["q","[CLS]"]"#).unwrap();
        assert_eq!(back, ["q", "[CLS]"]);
    }
}
