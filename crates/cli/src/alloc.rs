//! The global allocator: the system's, with a transparent-huge-page hint on large blocks.
//!
//! A conversion allocates a few arrays of tens or hundreds of MiB once and fills them once. With
//! 4 KiB pages every first touch is a page fault: on a raw 1M-triangle `.vtp` -> HDF5 run that was
//! 14,900 faults and a quarter of the CPU time. Asking the kernel for 2 MiB pages on those blocks
//! (what glibc's own `glibc.malloc.hugetlb=1` tunable does, which a program cannot set for itself)
//! cuts the faults about fourfold. Small blocks are left alone, so the RSS of small runs does not
//! grow by whole huge pages. Where THP is disabled the hint is a no-op.

use std::alloc::{GlobalAlloc, Layout, System};

/// Blocks at least this large get the hint (smaller ones could not hold one aligned huge page
/// plus change anyway).
const HINT_FROM: usize = 4 << 20;

/// ... and at most this large. On the 2-core VM of issue 6 the hint made the biggest blocks
/// slower: a 10M-triangle surface -> HDF5 gzip run took 1.8-2.2 s with it on every block and
/// 1.5-1.7 s without it above 128 MiB (its 240 MB connectivity), while the 1M-triangle and
/// mesh runs, whose blocks are 4-72 MB, keep the hint's gain (raw surface -> HDF5: 34-42 ms with,
/// 50 ms without). Presumably the kernel then runs out of free 2 MiB blocks it has used before
/// and takes ones the hypervisor has not backed yet, which costs a host fault per 4 KiB anyway.
const HINT_UP_TO: usize = 128 << 20;

/// [`System`] plus `madvise(MADV_HUGEPAGE)` on blocks of [`HINT_FROM`] to [`HINT_UP_TO`] bytes.
pub struct HugePageHint;

// SAFETY: every call forwards to `System` with the caller's arguments unchanged; the hint only
// advises the kernel about memory this allocation owns and never changes its contents.
unsafe impl GlobalAlloc for HugePageHint {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if new_size > layout.size() {
            advise(p, new_size);
        }
        p
    }
}

#[cfg(target_os = "linux")]
fn advise(p: *mut u8, size: usize) {
    if p.is_null() || !(HINT_FROM..=HINT_UP_TO).contains(&size) {
        return;
    }
    // The advised range must be the block's whole mapping: advising part of it would split the
    // mapping in two, and the kernel cannot `mremap` a split mapping, so growing the block with
    // `realloc` would copy it instead of remapping it. glibc maps a large block with its 16-byte
    // header just before `p` and its usable size up to the mapping's end, so the pages from `p`'s
    // down to `p + usable`'s up are exactly that mapping. For a block inside the heap the range may
    // reach into a neighbour's pages, which the hint does not harm.
    let page = 4096;
    // SAFETY: `p` was just returned by the system allocator and is live.
    let usable = unsafe { libc::malloc_usable_size(p.cast()) }.max(size);
    let start = (p as usize) & !(page - 1);
    let end = (p as usize + usable).next_multiple_of(page);
    // SAFETY: [start, end) is mapped memory of this process (the block and its allocator's own
    // header and tail pages); MADV_HUGEPAGE changes no contents and its failure (THP off) is
    // harmless.
    unsafe {
        libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise(_p: *mut u8, _size: usize) {}

#[cfg(test)]
mod tests {
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
