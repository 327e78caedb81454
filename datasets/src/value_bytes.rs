//! The value bytes of a string column, in memory from mimalloc instead of the global
//! allocator (the loaders, and the Python map's string outputs). Such code allocates and drops a
//! ~1 MB value buffer per batch at a high rate; glibc (the usual global allocator) hands such
//! freed memory back to the OS, so each new batch page-faults and zeroes fresh pages — ~40% of
//! the CSV parse's CPU on the IMDB reviews. mimalloc keeps freed pages for reuse (for a second).
//! Only these buffers are taken from it: the program's global allocator stays its own choice
//! (mimalloc as the global one slowed the Python module's Encoding objects by 20-30%).

use std::alloc::{handle_alloc_error, GlobalAlloc, Layout};
use std::ptr::NonNull;
use std::sync::Arc;

use arrow_buffer::Buffer;
use mimalloc::MiMalloc;

/// Arrow's buffer alignment (cache lines; any alignment is valid for bytes).
const ALIGN: usize = 64;

/// A growable byte buffer in mimalloc's memory that becomes an Arrow [`Buffer`] without a copy.
pub struct ValueBytes {
    ptr: NonNull<u8>,
    cap: usize,
    len: usize,
}

// SAFETY: ValueBytes owns its allocation exclusively, like a Vec<u8>.
unsafe impl Send for ValueBytes {}

impl ValueBytes {
    /// An empty buffer with room for `cap` bytes (no allocation for 0).
    pub fn with_capacity(cap: usize) -> Self {
        let mut v = ValueBytes { ptr: NonNull::dangling(), cap: 0, len: 0 };
        v.grow_to(cap);
        v
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends `bytes`, growing the buffer when it is full.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        let need = self.len.checked_add(bytes.len()).expect("buffer length overflows usize");
        if need > self.cap {
            self.grow_to(need.max(self.cap.saturating_mul(2)));
        }
        // SAFETY: `need <= cap`, so the destination is inside the allocation, which cannot overlap
        // a slice the caller holds (it is ours alone).
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr.as_ptr().add(self.len), bytes.len()) };
        self.len = need;
    }

    /// The bytes as an Arrow buffer; the memory goes back to mimalloc when the last reference to
    /// the buffer is dropped.
    pub fn into_buffer(self) -> Buffer {
        let this = std::mem::ManuallyDrop::new(self);
        if this.cap == 0 {
            return Buffer::from_vec(Vec::<u8>::new());
        }
        let owner = Arc::new(Allocation { ptr: this.ptr, layout: layout(this.cap) });
        // SAFETY: `ptr` is valid for `len` initialized bytes, and `owner` keeps the allocation
        // alive for as long as the buffer (and its clones) exist.
        unsafe { Buffer::from_custom_allocation(this.ptr, this.len, owner) }
    }

    fn grow_to(&mut self, cap: usize) {
        if cap <= self.cap {
            return;
        }
        let new = layout(cap);
        // SAFETY: the layouts have a non-zero size; realloc keeps the first `len` bytes.
        let p = unsafe {
            if self.cap == 0 {
                MiMalloc.alloc(new)
            } else {
                MiMalloc.realloc(self.ptr.as_ptr(), layout(self.cap), cap)
            }
        };
        self.ptr = NonNull::new(p).unwrap_or_else(|| handle_alloc_error(new));
        self.cap = cap;
    }
}

impl Drop for ValueBytes {
    fn drop(&mut self) {
        if self.cap > 0 {
            // SAFETY: allocated by MiMalloc with this layout and not handed to a Buffer.
            unsafe { MiMalloc.dealloc(self.ptr.as_ptr(), layout(self.cap)) };
        }
    }
}

fn layout(cap: usize) -> Layout {
    Layout::from_size_align(cap, ALIGN).unwrap_or_else(|_| panic!("a {cap}-byte buffer is too large"))
}

/// An allocation a [`Buffer`] points into, freed with it.
struct Allocation {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: the allocation is immutable once it backs a Buffer and freed only on the last drop.
unsafe impl Send for Allocation {}
unsafe impl Sync for Allocation {}
impl std::panic::RefUnwindSafe for Allocation {}

impl Drop for Allocation {
    fn drop(&mut self) {
        // SAFETY: allocated by MiMalloc with `layout`; this is its one owner.
        unsafe { MiMalloc.dealloc(self.ptr.as_ptr(), self.layout) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_and_becomes_a_buffer() {
        let mut v = ValueBytes::with_capacity(3);
        for i in 0..1000u32 {
            v.extend_from_slice(&i.to_le_bytes());
        }
        assert_eq!(v.len(), 4000);
        let b = v.into_buffer();
        let want: Vec<u8> = (0..1000u32).flat_map(|i| i.to_le_bytes()).collect();
        assert_eq!(b.as_slice(), &want[..]);
        let c = b.clone();
        drop(b);
        assert_eq!(c.len(), 4000);
        assert!(ValueBytes::with_capacity(0).into_buffer().is_empty());
        let mut e = ValueBytes::with_capacity(0);
        e.extend_from_slice(b"");
        e.extend_from_slice(b"ab");
        assert_eq!(e.into_buffer().as_slice(), b"ab");
        drop(ValueBytes::with_capacity(10));
    }
}
