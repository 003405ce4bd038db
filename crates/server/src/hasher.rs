//! The password-hashing port on argon2id, run on the blocking pool.

use std::sync::Arc;

use std::sync::{Mutex, PoisonError};

use argon2::password_hash::PasswordHasher as _;
use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use async_trait::async_trait;
use clientele_ports::{InfraError, PasswordHasher};

/// argon2id's cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, garde::Validate)]
pub struct Argon2Params {
    /// Memory in KiB (argon2's `m`).
    #[garde(range(min = 8, max = 4_194_304))]
    pub memory_kib: u32,
    /// Passes (argon2's `t`).
    #[garde(range(min = 1, max = 64))]
    pub iterations: u32,
    /// Lanes (argon2's `p`).
    #[garde(range(min = 1, max = 64))]
    pub parallelism: u32,
}

impl Default for Argon2Params {
    /// OWASP's argon2id recommendation: 19 MiB, 2 passes, 1 lane.
    fn default() -> Self {
        Self {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

impl Argon2Params {
    /// Cheap parameters for tests (never for production).
    #[must_use]
    pub const fn cheap() -> Self {
        Self {
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }
}

/// argon2id on `spawn_blocking`. Verifying against no hash (unknown email) hashes a dummy
/// password with the same parameters, so both cases cost the same.
///
/// At most `permits` hashes run at once (each holds an argon2 buffer of `memory_kib`); a hash that
/// cannot start within `wait` fails as [`InfraError::overloaded`] (503 with `Retry-After`), so
/// concurrent logins never grow memory without bound.
///
/// The buffers are reused: at most `permits` of them are ever allocated, kept between hashes.
/// Allocating one per hash let the C allocator keep each freed 19 MiB buffer in the arena of the
/// thread that ran it — 64 concurrent logins grew a process to 3.7 GiB that stayed after the
/// load (`just chaos rss`).
#[derive(Clone)]
pub struct Argon2Hasher {
    params: Params,
    dummy_hash: Arc<str>,
    permits: Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
    buffers: Arc<Mutex<Vec<Vec<Block>>>>,
    kept: usize,
}

impl std::fmt::Debug for Argon2Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Argon2Hasher")
            .field("m_cost", &self.params.m_cost())
            .field("t_cost", &self.params.t_cost())
            .field("p_cost", &self.params.p_cost())
            .finish()
    }
}

fn infra(e: impl std::error::Error + Send + Sync + 'static) -> InfraError {
    InfraError {
        what: "password hashing",
        source: Box::new(e),
    }
}

fn argon(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

impl Argon2Hasher {
    /// A hasher with `params`.
    ///
    /// # Errors
    /// Parameters argon2 refuses.
    pub fn new(p: Argon2Params) -> Result<Self, InfraError> {
        let params = Params::new(p.memory_kib, p.iterations, p.parallelism, None).map_err(infra)?;
        let dummy_hash = argon(&params)
            .hash_password(b"clientele-dummy-password")
            .map_err(infra)?
            .to_string();
        let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Ok(Self {
            params,
            dummy_hash: dummy_hash.into(),
            permits: Arc::new(tokio::sync::Semaphore::new(cpus)),
            wait: std::time::Duration::from_secs(5),
            buffers: Arc::default(),
            kept: cpus,
        })
    }

    /// This hasher with at most `permits` concurrent hashes, each waiting at most `wait` to start.
    #[must_use]
    pub fn with_limit(mut self, permits: usize, wait: std::time::Duration) -> Self {
        self.permits = Arc::new(tokio::sync::Semaphore::new(permits.max(1)));
        self.wait = wait;
        self.kept = permits.max(1);
        self
    }

    /// Buffers allocated so far and kept for reuse (at most the permits).
    #[must_use]
    pub fn buffers_kept(&self) -> usize {
        self.buffers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Runs `f` on the blocking pool once a permit is free (within `wait`).
    async fn bounded<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, InfraError> + Send + 'static,
    ) -> Result<T, InfraError> {
        let permit = tokio::time::timeout(self.wait, Arc::clone(&self.permits).acquire_owned())
            .await
            .map_err(|_| InfraError::overloaded("password hashing"))?
            .map_err(infra)?;
        blocking(move || {
            let result = f();
            drop(permit);
            result
        })
        .await
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, InfraError> + Send + 'static,
) -> Result<T, InfraError> {
    tokio::task::spawn_blocking(f).await.map_err(infra)?
}

/// Runs argon2id with `params` into `out`, in a buffer taken from `buffers` (or a new one) and
/// given back after, so that at most `kept` buffers ever exist.
fn argon2id_into(
    params: &Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    buffers: &Mutex<Vec<Vec<Block>>>,
    kept: usize,
) -> Result<(), InfraError> {
    let blocks = params.block_count();
    let reused = buffers
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop()
        .filter(|b| b.len() == blocks);
    let mut memory = reused.unwrap_or_else(|| vec![Block::default(); blocks]);
    let result = argon(params)
        .hash_password_into_with_memory(password, salt, out, &mut memory[..])
        .map_err(infra);
    let mut free = buffers.lock().unwrap_or_else(PoisonError::into_inner);
    if free.len() < kept {
        free.push(memory);
    }
    result
}

#[async_trait]
impl PasswordHasher for Argon2Hasher {
    async fn hash(&self, password: &str) -> Result<String, InfraError> {
        let params = self.params.clone();
        let password = password.to_owned();
        let (buffers, kept) = (Arc::clone(&self.buffers), self.kept);
        self.bounded(move || {
            let salt = Salt::generate();
            let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
            argon2id_into(
                &params,
                password.as_bytes(),
                &salt,
                &mut out,
                &buffers,
                kept,
            )?;
            let phc = PasswordHash {
                algorithm: Algorithm::Argon2id.ident(),
                version: Some(Version::V0x13.into()),
                params: ParamsString::try_from(params).map_err(infra)?,
                salt: Some(salt),
                hash: Some(Output::new(&out).map_err(infra)?),
            };
            Ok(phc.to_string())
        })
        .await
    }

    async fn verify(&self, password: &str, hash: Option<&str>) -> Result<bool, InfraError> {
        let known = hash.is_some();
        let hash = hash.map_or_else(|| self.dummy_hash.to_string(), str::to_owned);
        let password = password.to_owned();
        let (buffers, kept) = (Arc::clone(&self.buffers), self.kept);
        self.bounded(move || {
            let Ok(phc) = PasswordHash::new(&hash) else {
                return Ok(false);
            };
            let (Some(salt), Some(expected), Ok(params)) =
                (phc.salt, phc.hash, Params::try_from(&phc))
            else {
                return Ok(false);
            };
            if phc.algorithm != Algorithm::Argon2id.ident()
                || phc.version != Some(Version::V0x13.into())
            {
                return Ok(false);
            }
            let mut out = vec![0u8; expected.len()];
            if argon2id_into(
                &params,
                password.as_bytes(),
                &salt,
                &mut out,
                &buffers,
                kept,
            )
            .is_err()
            {
                return Ok(false);
            }
            // `Output`'s comparison takes the same time wherever the bytes differ.
            let ok = Output::new(&out).is_ok_and(|computed| computed == expected);
            Ok(ok && known)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Past its permits a hash waits, then fails as overloaded (a 503), instead of running.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_hashes_are_bounded() {
        let slow = Argon2Params {
            memory_kib: 8192,
            iterations: 8,
            parallelism: 1,
        };
        let h = Argon2Hasher::new(slow)
            .unwrap()
            .with_limit(1, std::time::Duration::from_millis(5));
        let first = tokio::spawn({
            let h = h.clone();
            async move { h.hash("first password").await }
        });
        // Until the first hash holds the only permit.
        while h.permits.available_permits() > 0 {
            tokio::task::yield_now().await;
        }
        let second = h.hash("second password").await;
        let err = second.expect_err("the only permit is taken");
        assert!(err.is_overloaded(), "{err}");
        assert!(matches!(
            clientele_ports::AccountError::from(err),
            clientele_ports::AccountError::Unavailable(_)
        ));
        assert!(first.await.unwrap().is_ok(), "the first one ran");
        assert!(
            h.hash("third password").await.is_ok(),
            "the permit came back"
        );
    }

    #[tokio::test]
    async fn hashes_and_verifies() {
        let h = Argon2Hasher::new(Argon2Params::cheap()).unwrap();
        let hash = h.hash("correct horse").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=64,t=1,p=1$"));
        assert!(!hash.contains("correct horse"));
        assert!(h.verify("correct horse", Some(&hash)).await.unwrap());
        assert!(!h.verify("wrong horse", Some(&hash)).await.unwrap());
        assert!(!h.verify("correct horse", None).await.unwrap());
        assert!(!h.verify("x", Some("not a hash")).await.unwrap());
        // The PHC string is argon2's own: the crate's verifier accepts it, and ours accepts the
        // crate's hashes.
        use argon2::password_hash::PasswordVerifier as _;
        assert!(
            argon(&h.params)
                .verify_password(b"correct horse", hash.as_str())
                .is_ok()
        );
        let theirs = argon(&h.params)
            .hash_password(b"battery staple")
            .unwrap()
            .to_string();
        assert!(h.verify("battery staple", Some(&theirs)).await.unwrap());
        // Another cost (an operator changed the parameters) still verifies.
        let older = Argon2Hasher::new(Argon2Params {
            memory_kib: 128,
            iterations: 2,
            parallelism: 1,
        })
        .unwrap()
        .hash("old password")
        .await
        .unwrap();
        assert!(h.verify("old password", Some(&older)).await.unwrap());
        assert!(!h.verify("other password", Some(&older)).await.unwrap());
    }

    /// However many hashes run, at most `permits` buffers are ever allocated, and kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn buffers_are_reused() {
        let h = Argon2Hasher::new(Argon2Params::cheap())
            .unwrap()
            .with_limit(2, std::time::Duration::from_secs(5));
        let hash = h.hash("some password").await.unwrap();
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let (h, hash) = (h.clone(), hash.clone());
                tokio::spawn(async move { h.verify(&format!("guess {i}"), Some(&hash)).await })
            })
            .collect();
        for t in tasks {
            assert!(!t.await.unwrap().unwrap());
        }
        assert!((1..=2).contains(&h.buffers_kept()), "{}", h.buffers_kept());
    }
}
