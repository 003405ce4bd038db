//! The mailer port over SMTP, through `lettre` (decision 0011): STARTTLS, implicit TLS, AUTH,
//! certificate verification with the system's authorities (and more from a file).
//!
//! Selected by a mailer URL (contract §7):
//! - `smtp://[user:password@]host[:port]` (port 25): STARTTLS when the server offers it;
//!   `?tls=required` refuses a server without it; `?tls=none` never encrypts (a relay on this host);
//! - `smtps://[user:password@]host[:port]` (port 465): TLS from the first byte.
//!
//! The user and password are `%XX`-decoded and sent with AUTH (PLAIN or LOGIN, whichever the
//! server offers) after STARTTLS when there is one: with plain `smtp://` a server that offers no
//! STARTTLS would get them in clear, so hosted providers should be given `?tls=required`.

use std::fmt;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use clientele_ports::{InfraError, Mailer, Message};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Tokio1Executor};

use crate::mail::{MailOutcome, MailStats, build_message, parse_from};

/// How the connection is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `smtp://`: STARTTLS when the server offers it, plain otherwise.
    Opportunistic,
    /// `smtp://...?tls=required`: STARTTLS, or no message.
    Required,
    /// `smtp://...?tls=none`: never encrypted (a relay on this host).
    None,
    /// `smtps://`: TLS from the first byte.
    Implicit,
}

/// Where and as whom to send, parsed from a mailer URL.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// The server's host name or IP address; the name its certificate must carry.
    pub host: String,
    /// The server's TCP port (25 for `smtp://`, 465 for `smtps://` when the URL gives none).
    pub port: u16,
    /// How the connection is encrypted.
    pub tls: TlsMode,
    /// `(user, password)` for AUTH, `%XX`-decoded from the URL; `None`: no authentication.
    /// `Debug` shows the user, never the password.
    pub credentials: Option<(String, String)>,
    /// The limit on connecting and on every command (10 seconds).
    pub timeout: Duration,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.credentials.as_ref().map(|(u, _)| u))
            .finish_non_exhaustive()
    }
}

impl SmtpConfig {
    /// Parses a mailer URL (see the module's documentation).
    ///
    /// # Errors
    /// A one-line description of what is wrong with the URL (never echoing the password).
    pub fn from_url(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw).map_err(|e| format!("invalid mailer URL: {e}"))?;
        let (mut tls, default_port) = match url.scheme() {
            "smtp" => (TlsMode::Opportunistic, 25),
            "smtps" => (TlsMode::Implicit, 465),
            other => {
                return Err(format!(
                    "invalid mailer URL: the scheme is {other:?}; expected smtp:// or smtps://"
                ));
            }
        };
        for (name, value) in url.query_pairs() {
            match (name.as_ref(), value.as_ref(), tls) {
                ("tls", "required", TlsMode::Opportunistic) => tls = TlsMode::Required,
                ("tls", "none", TlsMode::Opportunistic) => tls = TlsMode::None,
                ("tls", "opportunistic", TlsMode::Opportunistic) => {}
                ("tls", _, TlsMode::Implicit) => {
                    return Err(
                        "invalid mailer URL: smtps:// is always TLS; drop the tls parameter"
                            .to_owned(),
                    );
                }
                ("tls", v, _) => {
                    return Err(format!(
                        "invalid mailer URL: tls={v:?}; expected required, none or opportunistic"
                    ));
                }
                (n, _, _) => {
                    return Err(format!(
                        "invalid mailer URL: unknown parameter {n:?} (only tls is known)"
                    ));
                }
            }
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| "invalid mailer URL: it has no host".to_owned())?;
        // `url` keeps IPv6 literals bracketed; a certificate names the bare address.
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| {
                "invalid mailer URL: the user or password is not valid %-encoded UTF-8".to_owned()
            })
        };
        let credentials = if url.username().is_empty() && url.password().is_none() {
            None
        } else {
            Some((
                decode(url.username())?,
                decode(url.password().unwrap_or(""))?,
            ))
        };
        Ok(Self {
            host,
            port: url.port().unwrap_or(default_port),
            tls,
            credentials,
            timeout: Duration::from_secs(10),
        })
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The mailer port over SMTP.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// The bound on one whole message: lettre's timeout covers each read and write, not a TLS
    /// handshake that never ends or a greeting that never comes.
    deadline: Duration,
    from: Mailbox,
    server: String,
    stats: Arc<MailStats>,
}

impl fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer sending to `config`'s server as `from` (`Name <address>` or an address),
    /// trusting the system's certificate authorities and those of the PEM file `extra_ca`,
    /// counting outcomes in `stats`. Nothing is connected until the first message.
    ///
    /// # Errors
    /// A `from` that is not a mailbox, a CA file that cannot be read or parsed, TLS set-up.
    pub fn new(
        config: &SmtpConfig,
        from: &str,
        extra_ca: Option<&Path>,
        stats: Arc<MailStats>,
    ) -> Result<Self, String> {
        let from = parse_from(from)?;
        // Read and checked whatever the mode: a CA file that cannot be used is a setting error.
        let extra = match extra_ca {
            None => None,
            Some(path) => {
                let pem = std::fs::read(path)
                    .map_err(|e| format!("cannot read --mailer-ca-file {}: {e}", path.display()))?;
                Some(
                    Certificate::from_pem(&pem)
                        .map_err(|e| format!("invalid --mailer-ca-file {}: {e}", path.display()))?,
                )
            }
        };
        if extra.is_some() && config.tls == TlsMode::None {
            return Err("--mailer-ca-file is given but the mailer URL says tls=none".to_owned());
        }
        let parameters = || -> Result<TlsParameters, String> {
            let mut builder = TlsParameters::builder(config.host.clone());
            if let Some(cert) = extra.clone() {
                builder = builder.add_root_certificate(cert);
            }
            builder
                .build_native()
                .map_err(|e| format!("cannot set up TLS for the mailer: {e}"))
        };
        let tls = match config.tls {
            TlsMode::None => Tls::None,
            TlsMode::Opportunistic => Tls::Opportunistic(parameters()?),
            TlsMode::Required => Tls::Required(parameters()?),
            TlsMode::Implicit => Tls::Wrapper(parameters()?),
        };
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
                .port(config.port)
                .tls(tls)
                .timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        Ok(Self {
            transport: builder.build(),
            deadline: config.timeout * 3,
            from,
            server: format!("{}:{}", config.host, config.port),
            stats,
        })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, message: Message) -> Result<(), InfraError> {
        let email = build_message(&self.from, &message)?;
        let sent = match tokio::time::timeout(self.deadline, self.transport.send(email)).await {
            Ok(sent) => sent,
            Err(_) => {
                self.stats.record(MailOutcome::Error);
                tracing::warn!(to = %message.to, server = %self.server, outcome = MailOutcome::Error.label(),
                    "mail not sent: the SMTP server did not answer within {} s", self.deadline.as_secs());
                return Err(InfraError {
                    what: "sending mail",
                    source: format!(
                        "the SMTP server did not answer within {} s",
                        self.deadline.as_secs()
                    )
                    .into(),
                });
            }
        };
        match sent {
            Ok(_) => {
                self.stats.record(MailOutcome::Sent);
                tracing::info!(to = %message.to, subject = %message.subject, server = %self.server, "mail sent");
                Ok(())
            }
            Err(e) => {
                let outcome = if e.is_transient() {
                    MailOutcome::TransientFailure
                } else if e.is_permanent() {
                    MailOutcome::PermanentFailure
                } else {
                    MailOutcome::Error
                };
                self.stats.record(outcome);
                tracing::warn!(
                    to = %message.to,
                    server = %self.server,
                    outcome = outcome.label(),
                    error = %e,
                    "mail not sent"
                );
                Err(InfraError {
                    what: "sending mail",
                    source: Box::new(e),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn parses_the_url_forms_without_showing_the_password() {
        let c = SmtpConfig::from_url("smtp://ann%40x.io:p%3Ass@mail.example.com:587").unwrap();
        assert_eq!(c.host, "mail.example.com");
        assert_eq!(c.port, 587);
        assert_eq!(c.tls, TlsMode::Opportunistic);
        assert_eq!(
            c.credentials,
            Some(("ann@x.io".to_owned(), "p:ss".to_owned()))
        );
        assert!(!format!("{c:?}").contains("p:ss"));
        let c = SmtpConfig::from_url("smtp://relay?tls=none").unwrap();
        assert_eq!((c.port, c.tls, c.credentials), (25, TlsMode::None, None));
        let c = SmtpConfig::from_url("smtp://relay:2525?tls=required").unwrap();
        assert_eq!((c.port, c.tls), (2525, TlsMode::Required));
        let c = SmtpConfig::from_url("smtps://apikey:secret@smtp.example.com").unwrap();
        assert_eq!((c.port, c.tls), (465, TlsMode::Implicit));
        for bad in [
            "http://x",
            "smtp://",
            "smtp://x?tls=maybe",
            "smtps://x?tls=none",
            "smtp://x?verify=no",
            "smtp://u:%ZZ@x",
        ] {
            let e = SmtpConfig::from_url(bad).expect_err(bad);
            assert!(!e.contains('\n'), "{e}");
        }
        let e = SmtpConfig::from_url("ftp://u:hunter2@x").unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }
}
