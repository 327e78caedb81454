//! [`RecBuf`]: the growable array of compact-encoding records that neighbouring texts share, in
//! memory from mimalloc instead of the global allocator.
//!
//! Why: a batch writes 16 bytes of records a token (tens of MB for a few MB of text) and its
//! caller drops them soon after (Python turns them into lists, a `map` moves to the next batch).
//! glibc, the usual global allocator, hands that much freed memory back to the OS, so the next
//! batch page-faults and zeroes fresh pages: measured at a third of the compact encoding's time
//! when batches follow each other (the ids path, at 4 bytes a token, faults a quarter as much).
//! mimalloc keeps freed pages for reuse for a while. Only these buffers come from it; the
//! program's global allocator stays its own choice (the datasets crate's value buffers do the
//! same for the same reason).

use std::alloc::{handle_alloc_error, GlobalAlloc, Layout};
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

use mimalloc::MiMalloc;

use super::compact::Rec;

/// A `Vec<Rec>` in mimalloc's memory (push, extend, and slices through `Deref`).
pub(crate) struct RecBuf {
    ptr: NonNull<Rec>,
    cap: usize,
    len: usize,
}

// SAFETY: a RecBuf owns its allocation exclusively, like a Vec<Rec>; shared references only read.
unsafe impl Send for RecBuf {}
unsafe impl Sync for RecBuf {}

impl RecBuf {
    /// An empty buffer with room for `cap` records (no allocation for 0).
    pub fn with_capacity(cap: usize) -> Self {
        let mut b = RecBuf { ptr: NonNull::dangling(), cap: 0, len: 0 };
        b.grow_to(cap);
        b
    }

    #[inline]
    pub fn push(&mut self, r: Rec) {
        if self.len == self.cap {
            self.grow_to((self.cap * 2).max(16));
        }
        // SAFETY: `len < cap`: the slot is inside the allocation and not yet initialized.
        unsafe { self.ptr.as_ptr().add(self.len).write(r) };
        self.len += 1;
    }

    /// Appends every record of `iter`, growing once for the length it reports.
    #[inline]
    pub fn extend(&mut self, iter: impl IntoIterator<Item = Rec>) {
        let iter = iter.into_iter();
        let want = self.len.saturating_add(iter.size_hint().0);
        if want > self.cap {
            self.grow_to(want.max(self.cap * 2));
        }
        for r in iter {
            self.push(r);
        }
    }

    fn grow_to(&mut self, cap: usize) {
        if cap <= self.cap {
            return;
        }
        let new = layout(cap);
        // SAFETY: the layouts have a non-zero size (`cap > self.cap >= 0`, Rec is 16 bytes);
        // realloc keeps the first `len` records.
        let p = unsafe {
            if self.cap == 0 {
                MiMalloc.alloc(new)
            } else {
                MiMalloc.realloc(self.ptr.as_ptr().cast(), layout(self.cap), new.size())
            }
        };
        self.ptr = NonNull::new(p.cast()).unwrap_or_else(|| handle_alloc_error(new));
        self.cap = cap;
    }
}

impl Deref for RecBuf {
    type Target = [Rec];
    fn deref(&self) -> &[Rec] {
        // SAFETY: the first `len` records are initialized; `ptr` is aligned and non-null (dangling
        // only when `len` is 0).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl DerefMut for RecBuf {
    fn deref_mut(&mut self) -> &mut [Rec] {
        // SAFETY: as in `deref`, and `&mut self` makes the borrow exclusive.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for RecBuf {
    fn drop(&mut self) {
        if self.cap > 0 {
            // SAFETY: allocated by MiMalloc with this layout; Rec needs no drop.
            unsafe { MiMalloc.dealloc(self.ptr.as_ptr().cast(), layout(self.cap)) };
        }
    }
}

impl std::fmt::Debug for RecBuf {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RecBuf({} records)", self.len)
    }
}

fn layout(cap: usize) -> Layout {
    Layout::array::<Rec>(cap).unwrap_or_else(|_| panic!("{cap} records are too many for one buffer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(i: u32) -> Rec {
        Rec { id: i, start: i * 2, end: i * 2 + 1, word: i / 3 }
    }

    /// Pushes and extends across many regrowths keep every record, in order, as a Vec would.
    #[test]
    fn holds_what_a_vec_holds() {
        for cap in [0, 1, 5, 100] {
            let mut b = RecBuf::with_capacity(cap);
            let mut want = Vec::new();
            for i in 0..3000u32 {
                if i % 7 == 0 {
                    let more: Vec<Rec> = (i..i + 5).map(rec).collect();
                    b.extend(more.iter().copied());
                    want.extend(more);
                } else {
                    b.push(rec(i));
                    want.push(rec(i));
                }
            }
            assert_eq!(&b[..], &want[..]);
            b[3].id = 99;
            assert_eq!(b[3].id, 99);
            // An iterator that under-reports its length still lands whole.
            b.extend((0..40u32).map(rec).filter(|r| r.id % 2 == 0));
            assert_eq!(b.len(), want.len() + 20);
        }
        assert!(RecBuf::with_capacity(0).is_empty());
    }
}
