//! The mailer port's default adapter: each message is an `.eml` file (RFC 5322, UTF-8) in a
//! directory. [`render_message`] is also the text the SMTP adapter sends.

use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;

use async_trait::async_trait;
use clientele_ports::{InfraError, Mailer, Message};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

/// The default sender.
pub const DEFAULT_FROM: &str = "Clientele <no-reply@clientele.invalid>";

/// Writes messages as `.eml` files into `dir` (created when missing).
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    from: String,
}

impl FileMailer {
    /// A mailer writing into `dir`, with `from` as the `From:` header. Nothing is touched until
    /// the first message: each is then written owner-only (mode 0600) to a temporary file and
    /// renamed to `<unix nanoseconds>-<uuid>.eml`, so no `.eml` file is ever partly written.
    #[must_use]
    pub fn new(dir: impl Into<PathBuf>, from: impl Into<String>) -> Self {
        Self {
            dir: dir.into(),
            from: from.into(),
        }
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, message: Message) -> Result<(), InfraError> {
        let now = OffsetDateTime::now_utc();
        let id = uuid::Uuid::new_v4();
        let bytes = render_message(&self.from, &message, now, &format!("{id}@clientele"));
        let dir = self.dir.clone();
        let name = format!("{}-{id}.eml", now.unix_timestamp_nanos());
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
        let fail = |e: Box<dyn std::error::Error + Send + Sync>| InfraError {
            what: "writing a mail file",
            source: e,
        };
        match written {
            Ok(Ok(())) => {
                tracing::info!(to = %message.to, subject = %message.subject, "mail written");
                Ok(())
            }
            Ok(Err(e)) => Err(fail(Box::new(e))),
            Err(e) => Err(fail(Box::new(e))),
        }
    }
}

/// The RFC 5322 text of `message`: CRLF line endings, UTF-8 body (`8bit`), a subject encoded as
/// an RFC 2047 word when it is not ASCII.
#[must_use]
pub fn render_message(from: &str, message: &Message, date: OffsetDateTime, id: &str) -> Vec<u8> {
    let subject = if message.subject.is_ascii() {
        message.subject.replace(['\r', '\n'], " ")
    } else {
        format!("=?UTF-8?B?{}?=", base64(message.subject.as_bytes()))
    };
    let date = date
        .format(&Rfc2822)
        .unwrap_or_else(|_| "Thu, 01 Jan 1970 00:00:00 +0000".to_owned());
    let mut body = String::with_capacity(message.text.len() + 16);
    for line in message.text.replace("\r\n", "\n").split('\n') {
        body.push_str(line);
        body.push_str("\r\n");
    }
    format!(
        "From: {from}\r\nTo: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{body}",
        to = message.to,
    )
    .into_bytes()
}

/// Standard base64 with padding (RFC 4648), for encoded words and SMTP `AUTH PLAIN`.
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clientele_domain::{Email, Field};
    use time::macros::datetime;

    fn message(subject: &str) -> Message {
        Message {
            to: Email::parse(Field::Email, "ann@example.com").unwrap(),
            subject: subject.to_owned(),
            text: "Hello \u{e9}\nhttps://x/verify-email?token=T\n".to_owned(),
        }
    }

    #[test]
    fn rfc5322_text() {
        let text = String::from_utf8(render_message(
            DEFAULT_FROM,
            &message("Verify your email address"),
            datetime!(2024-03-15 10:30:00 UTC),
            "abc@clientele",
        ))
        .unwrap();
        assert!(text.starts_with("From: Clientele <no-reply@clientele.invalid>\r\nTo: ann@example.com\r\nSubject: Verify your email address\r\nDate: Fri, 15 Mar 2024 10:30:00 +0000\r\n"));
        assert!(text.contains("Content-Type: text/plain; charset=utf-8\r\n"));
        assert!(text.contains("\r\n\r\nHello \u{e9}\r\nhttps://x/verify-email?token=T\r\n"));
        assert!(!text.replace("\r\n", "").contains('\r'));
    }

    #[test]
    fn non_ascii_subjects_are_encoded() {
        assert_eq!(base64(b"Man"), "TWFu");
        assert_eq!(base64(b"Ma"), "TWE=");
        assert_eq!(base64(b"M"), "TQ==");
        let text = String::from_utf8(render_message(
            DEFAULT_FROM,
            &message("V\u{e9}rifiez"),
            datetime!(2024-03-15 10:30:00 UTC),
            "x@y",
        ))
        .unwrap();
        assert!(text.contains("Subject: =?UTF-8?B?VsOpcmlmaWV6?=\r\n"));
    }

    #[tokio::test]
    async fn writes_eml_files() {
        let dir = std::env::temp_dir().join(format!("clientele-mail-{}", uuid::Uuid::new_v4()));
        FileMailer::new(&dir, DEFAULT_FROM)
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
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
