//! glibc's malloc arenas, capped before anything allocates in earnest.
//!
//! glibc gives each thread that allocates under contention its own arena, up to eight per
//! core, and memory freed into an arena stays there for that arena's threads. kefu's threads
//! take turns on the same work (tokio workers, one thread per SQLite connection, the search
//! writer and its merges), so freed memory piles up in many arenas: at a million tickets under
//! the bench plan the server's anonymous memory peaked ~50 MiB higher than with two arenas, at
//! a heap (heaptrack) of 86 MiB. The cap is read once, when malloc starts, from the
//! environment (`MALLOC_ARENA_MAX`), so the process starts itself once more with it set; an
//! operator's own `MALLOC_ARENA_MAX` is left alone.

/// Arenas when the environment names none: one per core of the small servers kefu targets.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENAS: &str = "2";

/// Replaces this process with itself started with `MALLOC_ARENA_MAX` set, unless the
/// environment already sets it. Returns only when it did not (or could not) replace it; call
/// it first thing in `main`, before threads start.
pub fn cap_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;

        if std::env::var_os("MALLOC_ARENA_MAX").is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        let mut args = std::env::args_os();
        let arg0 = args.next().unwrap_or_else(|| exe.clone().into_os_string());
        // `exec` returns only on failure; then run on with glibc's default.
        let _ = std::process::Command::new(exe)
            .arg0(arg0)
            .args(args)
            .env("MALLOC_ARENA_MAX", ARENAS)
            .exec();
    }
}
