//! The console's allocator.
//!
//! kclm keeps a large landscape for hours: two million small strings and
//! vectors, and a metal-api round every 15 s. With glibc's allocator the
//! console sat 25-30 MB above what it held (a header per allocation, memory
//! kept in per-thread arenas) and crept up with every round. jemalloc has no
//! per-allocation header; one arena and returning freed pages at once keep
//! the resident size at what the landscape needs. `JEMALLOC_SYS_WITH_MALLOC_CONF`
//! is not needed: the setting below is read at start, and `_RJEM_MALLOC_CONF`
//! in the environment still overrides it.

#[cfg(feature = "jemalloc")]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read by jemalloc itself at its first allocation.
#[cfg(feature = "jemalloc")]
#[unsafe(export_name = "_rjem_malloc_conf")]
pub static MALLOC_CONF: &[u8; 44] = b"narenas:1,dirty_decay_ms:0,muzzy_decay_ms:0\0";
