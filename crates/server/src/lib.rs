//! The `clientele` binary's library: command line, settings, telemetry, the argon2id and `.eml`
//! adapters, and the wiring of the store, the use cases and the HTTP server.
//!
//! [`run::spawn`] starts a real server on a port of your choice (use `127.0.0.1:0`) for
//! integration tests; it stops when dropped.

#![warn(missing_docs)]

pub mod admin;
pub mod cli;
pub mod hasher;
pub mod mail;
pub mod run;
pub mod settings;
pub mod smtp;
pub mod telemetry;

pub use run::{RunningServer, StartError, spawn};
pub use settings::Settings;
