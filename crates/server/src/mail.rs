//! The mailer port's default adapter: each message is an `.eml` file (RFC 5322, UTF-8) in a
//! directory; and what every mailer shares: the message as `lettre` builds it
//! ([`build_message`]), and the counts of `/metrics` ([`MailStats`]).

use std::fmt::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use clientele_ports::{InfraError, Mailer, Message};
use lettre::message::Mailbox;
use lettre::message::header::{ContentTransferEncoding, ContentType};
use time::OffsetDateTime;

/// The default sender.
pub const DEFAULT_FROM: &str = "Clientele <no-reply@clientele.invalid>";

/// How sending one message ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailOutcome {
    /// Handed over (to the SMTP server, or written to a file).
    Sent,
    /// The SMTP server refused it for now (a 4xx reply): worth retrying later.
    TransientFailure,
    /// The SMTP server refused it for good (a 5xx reply): a retry fails the same way.
    PermanentFailure,
    /// No answer to judge by: connection, TLS, timeout, or the file could not be written.
    Error,
}

impl MailOutcome {
    const ALL: [Self; 4] = [
        Self::Sent,
        Self::TransientFailure,
        Self::PermanentFailure,
        Self::Error,
    ];

    /// The `result` label of `clientele_mail_messages_total`.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::TransientFailure => "transient_failure",
            Self::PermanentFailure => "permanent_failure",
            Self::Error => "error",
        }
    }
}

/// Messages by outcome, for `/metrics`.
#[derive(Debug, Default)]
pub struct MailStats {
    counts: [AtomicU64; 4],
}

impl MailStats {
    /// Counts one message that ended with `outcome`.
    pub fn record(&self, outcome: MailOutcome) {
        self.counts[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Messages that ended with `outcome` so far.
    #[must_use]
    pub fn count(&self, outcome: MailOutcome) -> u64 {
        self.counts[outcome as usize].load(Ordering::Relaxed)
    }
}

impl clientele_adapters_http::MetricsSource for MailStats {
    fn render(&self, out: &mut String) {
        out.push_str("# HELP clientele_mail_messages_total Mail messages by outcome: sent, refused for now (4xx), refused for good (5xx), or failed without an answer.\n");
        out.push_str("# TYPE clientele_mail_messages_total counter\n");
        for outcome in MailOutcome::ALL {
            let _ = writeln!(
                out,
                "clientele_mail_messages_total{{result=\"{}\"}} {}",
                outcome.label(),
                self.count(outcome)
            );
        }
    }
}

/// Parses a `From:` setting: `Name <address>` or an address.
///
/// # Errors
/// A one-line message when it is neither.
pub fn parse_from(from: &str) -> Result<Mailbox, String> {
    from.parse::<Mailbox>().map_err(|e| {
        format!("invalid --mail-from {from:?}: {e}; expected `Name <address>` or an address")
    })
}

/// `message` from `from` as `lettre` builds it: `Date`, `Message-ID`, encoded non-ASCII
/// headers, a UTF-8 plain-text body (`7bit` when it is ASCII, `8bit` otherwise, so that a link
/// is never folded).
///
/// # Errors
/// An address `lettre` refuses, or a body line longer than SMTP allows.
pub fn build_message(from: &Mailbox, message: &Message) -> Result<lettre::Message, InfraError> {
    let fail = |e: Box<dyn std::error::Error + Send + Sync>| InfraError {
        what: "building a mail message",
        source: e,
    };
    let to = message
        .to
        .as_str()
        .parse::<lettre::Address>()
        .map_err(|e| fail(Box::new(e)))?;
    // `lettre` would pick quoted-printable for a line past 78 characters, folding a long
    // verification link; RFC 5322 allows 998, so the body is sent as it is within that.
    let mut text = message.text.replace("\r\n", "\n").replace('\n', "\r\n");
    if !text.ends_with("\r\n") {
        text.push_str("\r\n");
    }
    if text
        .split("\r\n")
        .any(|line| line.len() > 998 || line.contains(['\0', '\r']))
    {
        return Err(fail(
            "a line of the body is too long for SMTP (998 bytes) or holds a control character"
                .into(),
        ));
    }
    let encoding = if text.is_ascii() {
        ContentTransferEncoding::SevenBit
    } else {
        ContentTransferEncoding::EightBit
    };
    let body = lettre::message::Body::dangerous_pre_encoded(text.into_bytes(), encoding);
    lettre::Message::builder()
        .message_id(None)
        .date_now()
        .from(from.clone())
        .to(Mailbox::new(None, to))
        .subject(message.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| fail(Box::new(e)))
}

/// Writes messages as `.eml` files into `dir` (created when missing).
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: Mailbox,
    stats: Arc<MailStats>,
}

impl FileMailer {
    /// A mailer writing into `dir`, with `from` as the `From:` header, counting in `stats`.
    /// Nothing is touched until the first message: each is then written owner-only (mode 0600)
    /// to a temporary file and renamed to `<unix nanoseconds>-<uuid>.eml`, so no `.eml` file is
    /// ever partly written.
    ///
    /// # Errors
    /// A `from` that is not a mailbox.
    pub fn new(dir: impl Into<PathBuf>, from: &str, stats: Arc<MailStats>) -> Result<Self, String> {
        Ok(Self {
            dir: dir.into(),
            from: parse_from(from)?,
            stats,
        })
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: Message) -> Result<(), InfraError> {
        let bytes = build_message(&self.from, &message)?.formatted();
        let now = OffsetDateTime::now_utc();
        let dir = self.dir.clone();
        let name = format!(
            "{}-{}.eml",
            now.unix_timestamp_nanos(),
            uuid::Uuid::new_v4()
        );
        let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
            std::fs::create_dir_all(&dir)?;
            let tmp = dir.join(format!(".{name}.tmp"));
            // Owner-only: the message carries a verification token.
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(&tmp)?;
            std::io::Write::write_all(&mut file, &bytes)?;
            std::fs::rename(&tmp, dir.join(&name))
        })
        .await;
        let fail = |e: Box<dyn std::error::Error + Send + Sync>| {
            self.stats.record(MailOutcome::Error);
            InfraError {
                what: "writing a mail file",
                source: e,
            }
        };
        match written {
            Ok(Ok(())) => {
                self.stats.record(MailOutcome::Sent);
                tracing::info!(to = %message.to, subject = %message.subject, "mail written");
                Ok(())
            }
            Ok(Err(e)) => Err(fail(Box::new(e))),
            Err(e) => Err(fail(Box::new(e))),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clientele_domain::{Email, Field};

    fn message(subject: &str) -> Message {
        Message {
            to: Email::parse(Field::Email, "ann@example.com").unwrap(),
            subject: subject.to_owned(),
            text: "Hello \u{e9}\nhttps://x/verify-email?token=T\n".to_owned(),
        }
    }

    fn text(from: &str, m: &Message) -> String {
        String::from_utf8(
            build_message(&parse_from(from).unwrap(), m)
                .unwrap()
                .formatted(),
        )
        .unwrap()
    }

    #[test]
    fn rfc5322_text() {
        let text = text(DEFAULT_FROM, &message("Verify your email address"));
        assert!(
            text.contains("From: Clientele <no-reply@clientele.invalid>\r\n"),
            "{text}"
        );
        assert!(text.contains("To: ann@example.com\r\n"), "{text}");
        assert!(
            text.contains("Subject: Verify your email address\r\n"),
            "{text}"
        );
        assert!(text.contains("Date: "), "{text}");
        assert!(text.contains("Message-ID: <"), "{text}");
        assert!(
            text.contains("Content-Type: text/plain; charset=utf-8\r\n"),
            "{text}"
        );
        assert!(
            text.contains("Content-Transfer-Encoding: 8bit\r\n"),
            "{text}"
        );
        assert!(
            text.contains("\r\n\r\nHello \u{e9}\r\nhttps://x/verify-email?token=T\r\n"),
            "{text}"
        );
        assert!(
            !text.replace("\r\n", "").contains(['\r', '\n']),
            "CRLF only"
        );
    }

    #[test]
    fn non_ascii_headers_are_encoded_and_links_never_folded() {
        let mut m = message("V\u{e9}rifiez");
        let token = "t".repeat(120);
        m.text = format!("https://clients.example.com/verify-email?token={token}\r\n");
        let text = text("Cl\u{e9}ment \u{e0} l'agence <no-reply@example.com>", &m);
        assert!(
            text.is_ascii(),
            "headers and an ASCII body are 7-bit: {text}"
        );
        assert!(text.contains("Subject: =?utf-8?b?"), "{text}");
        assert!(text.contains("From: =?utf-8?b?"), "{text}");
        assert!(
            text.contains(&format!("token={token}\r\n")),
            "not folded: {text}"
        );
        assert!(text.contains("Content-Transfer-Encoding: 7bit"), "{text}");
        assert!(parse_from("not a mailbox <").is_err());
    }

    #[tokio::test]
    async fn writes_eml_files() {
        let dir = std::env::temp_dir().join(format!("clientele-mail-{}", uuid::Uuid::new_v4()));
        let stats = Arc::new(MailStats::default());
        FileMailer::new(&dir, DEFAULT_FROM, Arc::clone(&stats))
            .unwrap()
            .send(message("Hi"))
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
        assert_eq!(files.len(), 1);
        let path = files[0].as_ref().unwrap().path();
        assert_eq!(path.extension().unwrap(), "eml");
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "only the owner reads a message with a token"
        );
        assert_eq!(stats.count(MailOutcome::Sent), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
