//! The global allocator: the system's, with transparent huge pages for large blocks.
//!
//! A conversion allocates a few arrays of tens or hundreds of MiB once and fills them once. With
//! 4 KiB pages every first touch is a page fault: on a raw 1M-triangle `.vtp` -> HDF5 run that was
//! 14,900 faults and a quarter of the CPU time. Asking the kernel for 2 MiB pages on those blocks
//! (what glibc's own `glibc.malloc.hugetlb=1` tunable does, which a program cannot set for itself)
//! cuts the faults about fourfold. Small blocks are left alone, so the RSS of small runs does not
//! grow by whole huge pages. Where THP is disabled the hint is a no-op.
//!
//! A crate of its own because the `arraydict` binary installs it as its global allocator at run
//! time and the `pipeline` bench installs it too (so in-process times see the binary's page-fault
//! behaviour): the binary cannot depend on the unpublished `test-support`, and the bench should not
//! compile the file a second time through `#[path]`.
//!
//! ```
//! #[global_allocator]
//! static GLOBAL: huge_page_alloc::HugePageHint = huge_page_alloc::HugePageHint;
//!
//! let big = vec![0u8; 8 << 20]; // in huge pages where the kernel has them
//! assert!(big.iter().all(|&b| b == 0));
//! ```

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks at least this large are ours: one huge page fits in them.
const HINT_FROM: usize = 2 << 20;

/// ... and at most this large. On the 2-core VM of issue 6 the hint made the biggest blocks
/// slower: a 10M-triangle surface -> HDF5 gzip run took 1.8-2.2 s with it on every block and
/// 1.5-1.7 s without it above 128 MiB (its 240 MB connectivity), while the 1M-triangle and
/// mesh runs, whose blocks are 4-72 MB, keep the hint's gain (raw surface -> HDF5: 34-42 ms with,
/// 50 ms without). Presumably the kernel then runs out of free 2 MiB blocks it has used before
/// and takes ones the hypervisor has not backed yet, which costs a host fault per 4 KiB anyway.
const HINT_UP_TO: usize = 128 << 20;

/// [`System`], except that blocks of [`HINT_FROM`] to [`HINT_UP_TO`] bytes are mapped by us at a
/// 2 MiB boundary with `madvise(MADV_HUGEPAGE)` (see [`huge`]).
pub struct HugePageHint;

/// Whether a block of this layout is one of ours.
#[cfg(target_os = "linux")]
fn hinted(size: usize, align: usize) -> bool {
    (HINT_FROM..=HINT_UP_TO).contains(&size) && align <= huge::ALIGN
}

#[cfg(not(target_os = "linux"))]
fn hinted(_size: usize, _align: usize) -> bool {
    false
}

// SAFETY: blocks outside the hinted sizes go to `System` with the caller's arguments unchanged;
// hinted blocks are fresh private mappings of at least the requested size, aligned beyond any
// alignment `hinted` accepts, released only by the matching `dealloc`/`realloc` (which see the same
// layout, so the same `hinted` answer).
unsafe impl GlobalAlloc for HugePageHint {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if hinted(layout.size(), layout.align()) {
            return huge::map(layout.size());
        }
        // SAFETY: our caller upholds `GlobalAlloc::alloc`'s contract (a non-zero size), which is
        // all `System.alloc` asks; the layout is passed on unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if hinted(layout.size(), layout.align()) {
            // Fresh anonymous pages read as zero.
            return huge::map(layout.size());
        }
        // SAFETY: as for `alloc`: the caller's non-zero-size layout, passed on unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if hinted(layout.size(), layout.align()) {
            // SAFETY: the caller passes the layout `ptr` was allocated (or last reallocated) with;
            // `hinted` gives the same answer for it as then, so `ptr` came from `huge::map` or
            // `huge::remap` for this size, and the caller does not use it again.
            unsafe { huge::unmap(ptr, layout.size()) };
            return;
        }
        // SAFETY: by the same argument `ptr` is not hinted, so it came from `System` with this
        // layout (the caller's contract), which is what `System.dealloc` asks.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let (was, will) = (
            hinted(layout.size(), layout.align()),
            hinted(new_size, layout.align()),
        );
        match (was, will) {
            // SAFETY: neither size is hinted, so `ptr` is `System`'s with `layout` and the new size
            // stays with `System`; the caller's contract (live `ptr`, its layout, non-zero
            // `new_size` that fits `layout.align()`) is `System.realloc`'s.
            (false, false) => unsafe { System.realloc(ptr, layout, new_size) },
            // SAFETY: `layout.size()` is hinted, so `ptr` is one of our live mappings of that many
            // bytes (see `dealloc`); the caller gives it up on success, as `remap` asks.
            (true, true) => unsafe { huge::remap(ptr, layout.size(), new_size) },
            _ => {
                // Across the boundary: a new block from the other side, then a copy.
                // SAFETY: `realloc`'s caller guarantees that `new_size` is non-zero and, rounded up to
                // `layout.align()` (a power of two, from a valid layout), fits an `isize`: what
                // `from_size_align_unchecked` requires.
                let new_layout =
                    unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
                // SAFETY: `new_layout` has a non-zero size, all `alloc` asks.
                let new = unsafe { self.alloc(new_layout) };
                if !new.is_null() {
                    // SAFETY: `ptr` is live for `layout.size()` bytes and `new` is a fresh block of
                    // `new_size`, so both hold the smaller size and they cannot overlap; `ptr` is
                    // then freed with the layout it was allocated with and, the move done, the
                    // caller never uses it again.
                    unsafe {
                        std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                        self.dealloc(ptr, layout);
                    }
                }
                new
            }
        }
    }
}

/// Our own mappings for hinted blocks.
///
/// glibc maps a large block wherever `mmap` puts it, 16 bytes past a page boundary, so only the
/// 2 MiB-aligned stretch inside it can get huge pages: up to 2 MiB at each end stayed 4 KiB pages,
/// faulted one by one -- a third of a 6 MB array, and 8 of the 26 MB an HDF5 -> `.vtp` run reads.
/// Mapping each block at a 2 MiB boundary lets the whole of it take huge pages.
///
/// Each mapping is also a whole number of huge pages long: the last, partial 2 MiB of a block
/// was otherwise left to 4 KiB pages (the kernel puts a huge page only where the mapping covers
/// all of it), up to 511 faults per block. Rounding up took an HDF5 -> raw `.vtp` run of a
/// 1M-triangle surface, whose four arrays end in 0.2-1.7 MiB tails, from 25.3 to 23.4 ms (means
/// of the middle half of 41 runs, the builds taking turns). It costs at most one partly used huge
/// page per block of 2-128 MiB.
#[cfg(target_os = "linux")]
mod huge {
    /// The huge page size on x86-64 and the alignment of every mapping made here.
    pub const ALIGN: usize = 2 << 20;

    fn advise(p: *mut u8, len: usize) {
        // SAFETY: [p, p + len) is one of our live mappings; the hint changes no contents, and
        // where THP is off it fails harmlessly.
        unsafe {
            libc::madvise(p.cast(), len, libc::MADV_HUGEPAGE);
        }
    }

    /// A fresh zeroed mapping of at least `size` bytes, in whole huge pages at a 2 MiB boundary,
    /// or null.
    pub fn map(size: usize) -> *mut u8 {
        let len = size.next_multiple_of(ALIGN);
        let Some(span) = len.checked_add(ALIGN) else {
            return std::ptr::null_mut();
        };
        // SAFETY: a new private anonymous mapping; no existing memory is touched.
        let raw = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                span,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if raw == libc::MAP_FAILED {
            return std::ptr::null_mut();
        }
        let start = (raw as usize).next_multiple_of(ALIGN);
        let head = start - raw as usize;
        // SAFETY: the head and tail trimmed here are parts of the mapping just made, outside
        // [start, start + len) (head + len + tail == span).
        unsafe {
            if head > 0 {
                libc::munmap(raw, head);
            }
            let tail = span - head - len;
            if tail > 0 {
                libc::munmap((start + len) as *mut libc::c_void, tail);
            }
        }
        let p = start as *mut u8;
        advise(p, len);
        p
    }

    /// Releases a mapping made by [`map`] or [`remap`] for `size` bytes.
    ///
    /// # Safety
    /// `p` must be such a live mapping, not used afterwards.
    pub unsafe fn unmap(p: *mut u8, size: usize) {
        // SAFETY: the caller's contract.
        unsafe {
            libc::munmap(p.cast(), size.next_multiple_of(ALIGN));
        }
    }

    /// Grows or shrinks a mapping made here, moving its pages (not their contents) if it must move.
    /// A moved block may lose the 2 MiB boundary; it keeps the hint.
    ///
    /// # Safety
    /// `p` must be a live mapping made here for `old` bytes; on success it is no longer valid.
    pub unsafe fn remap(p: *mut u8, old: usize, new: usize) -> *mut u8 {
        let (old_len, new_len) = (old.next_multiple_of(ALIGN), new.next_multiple_of(ALIGN));
        if old_len == new_len {
            return p;
        }
        // SAFETY: the caller's contract; MREMAP_MAYMOVE keeps the contents.
        let q = unsafe { libc::mremap(p.cast(), old_len, new_len, libc::MREMAP_MAYMOVE) };
        if q == libc::MAP_FAILED {
            return std::ptr::null_mut();
        }
        let q = q.cast::<u8>();
        advise(q, new_len);
        q
    }
}

#[cfg(not(target_os = "linux"))]
mod huge {
    pub const ALIGN: usize = 0;
    pub fn map(_size: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
    pub unsafe fn unmap(_p: *mut u8, _size: usize) {}
    pub unsafe fn remap(_p: *mut u8, _old: usize, _new: usize) -> *mut u8 {
        std::ptr::null_mut()
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn hinted_blocks_sit_at_2_mib_and_keep_their_contents_across_every_realloc() {
        use super::{huge, GlobalAlloc, HugePageHint, Layout, HINT_FROM, HINT_UP_TO};
        let ours = HugePageHint;
        let layout = |size| Layout::from_size_align(size, 8).unwrap();
        // SAFETY: `filled` is only called on live blocks whose first `n` bytes were written.
        let filled = |p: *mut u8, n: usize| (0..n).all(|i| unsafe { *p.add(i) } == 7);
        // SAFETY: every block is used within its size and freed once with its layout.
        unsafe {
            let p = ours.alloc(layout(3 << 20));
            assert!(!p.is_null());
            assert_eq!(p as usize % huge::ALIGN, 0);
            p.write_bytes(7, 3 << 20);
            let p = ours.realloc(p, layout(3 << 20), 9 << 20); // hinted -> hinted (mremap)
            assert!(filled(p, 3 << 20));
            let p = ours.realloc(p, layout(9 << 20), 1000); // hinted -> system
            assert!(filled(p, 1000));
            let p = ours.realloc(p, layout(1000), HINT_UP_TO + 1); // system -> system, past the range
            assert!(filled(p, 1000));
            let p = ours.realloc(p, layout(HINT_UP_TO + 1), 5 << 20); // system -> hinted
            assert!(filled(p, 1000));
            assert_eq!(p as usize % huge::ALIGN, 0);
            ours.dealloc(p, layout(5 << 20));
            // Each mapping is whole huge pages: the rest of the last one is mapped too.
            let odd = huge::map((3 << 20) + 5);
            assert!(!odd.is_null());
            odd.add((4 << 20) - 1).write(9);
            huge::unmap(odd, (3 << 20) + 5);
            let z = ours.alloc_zeroed(layout(HINT_FROM));
            assert!((0..HINT_FROM).all(|i| *z.add(i) == 0));
            ours.dealloc(z, layout(HINT_FROM));
            // An alignment beyond 2 MiB is the system allocator's to honour.
            let big_align = Layout::from_size_align(4 << 20, 4 << 20).unwrap();
            let b = ours.alloc(big_align);
            assert_eq!(b as usize % (4 << 20), 0);
            ours.dealloc(b, big_align);
        }
    }

    #[test]
    fn large_and_small_blocks_keep_their_contents_through_realloc() {
        let mut v: Vec<u64> = (0..1000).collect();
        v.extend(1000..2_000_000); // grows past the hint threshold through realloc
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as u64));
        v.truncate(10);
        v.shrink_to_fit();
        assert_eq!(v, (0..10).collect::<Vec<_>>());
        let z = vec![0u8; 8 << 20];
        assert!(z.iter().all(|&b| b == 0));
    }
}
