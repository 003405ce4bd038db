//! In-memory implementations of every driven port (feature `testing`).
